import { isIP, SocketAddress } from "node:net";

/**
 * The one spelling of an IP address, so that every form of one address is one entity:
 * - IPv4: dotted decimal, as sent. Zero-padded octets (`010.0.0.1`) are refused, not read: C's
 *   inet_aton reads them as octal (8.0.0.1) and most other parsers as decimal (10.0.0.1), so the
 *   sender's meaning is unknowable. Short forms (`1.2.3`) and hex octets are refused likewise.
 * - IPv6: RFC 5952 (lower case, leading zeros dropped, the longest run of zero groups as `::`).
 *   Zone ids (`fe80::1%eth0`) are refused: they name an interface of the sender, not an address.
 * - IPv4-mapped IPv6 (`::ffff:1.2.3.4`, `::ffff:102:304`): the IPv4 address (`1.2.3.4`).
 * Returns undefined for anything else.
 */
export function canonicalIp(text: string): string | undefined {
  const family = isIP(text);
  if (family === 4) return text;
  if (family !== 6 || text.includes("%")) return undefined;
  const address = SocketAddress.parse(`[${text}]:0`)?.address;
  if (address === undefined) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  return mapped ? mapped[1] : address;
}
