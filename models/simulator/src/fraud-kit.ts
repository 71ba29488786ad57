import type { Device, Instrument } from "./entities.ts";
import type { Rng } from "./rng.ts";

/** How many of each kind of tool a fraud operation keeps at hand (bounded: old tools are dropped). */
const KIT_SIZE = 250;

/**
 * Fraud infrastructure reused across attempts: the same emulator devices, proxy addresses and
 * validated stolen cards show up again in later attempts, from other accounts.
 */
export class FraudKit {
  private readonly devices: Device[] = [];
  private readonly ips: { ip: string; country: string }[] = [];
  private readonly cards: Instrument[] = [];

  /** A device already used in an earlier attempt (with probability `reuse`), else undefined. */
  device(rng: Rng, reuse: number): Device | undefined {
    return this.devices.length > 0 && rng.chance(reuse) ? rng.pick(this.devices) : undefined;
  }

  ip(rng: Rng, reuse: number): { ip: string; country: string } | undefined {
    return this.ips.length > 0 && rng.chance(reuse) ? rng.pick(this.ips) : undefined;
  }

  card(rng: Rng, reuse: number): Instrument | undefined {
    return this.cards.length > 0 && rng.chance(reuse) ? rng.pick(this.cards) : undefined;
  }

  keepDevice(device: Device): void {
    keep(this.devices, device);
  }

  keepIp(ip: string, country: string): void {
    keep(this.ips, { ip, country });
  }

  keepCard(card: Instrument): void {
    keep(this.cards, card);
  }
}

function keep<T>(list: T[], item: T): void {
  if (list.includes(item)) return;
  if (list.length >= KIT_SIZE) list.shift();
  list.push(item);
}
