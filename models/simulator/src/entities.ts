/** The simulator's internal model of the marketplace; events are emitted from these. */

export interface Device {
  readonly id: string;
  readonly userAgent: string;
  /** The residential address the device usually appears from. */
  readonly homeIp: string;
  readonly country: string;
  /** Set when more than one account uses the device (a family tablet, a ring's phone). */
  shared: boolean;
}

export type InstrumentType = "card" | "wallet" | "bank";

export interface Instrument {
  readonly id: string;
  readonly type: InstrumentType;
  readonly bin: string | undefined;
  readonly country: string;
  readonly billingCountry: string;
  readonly createdAtMs: number;
}

export interface User {
  readonly id: string;
  readonly createdAtMs: number;
  emailDomain: string;
  emailVerified: boolean;
  readonly country: string;
  readonly devices: Device[];
  readonly instruments: Instrument[];
  /** The office network the user is sometimes online from (many colleagues share it). */
  readonly officeIp: string | undefined;
  /** Taken over by a fraudster: legit activity stops using the account. */
  compromised: boolean;
}

export interface Host {
  readonly id: string;
  readonly country: string;
  readonly listings: Listing[];
}

export interface Listing {
  readonly id: string;
  readonly hostId: string;
  readonly country: string;
  pricePerNight: number;
}
