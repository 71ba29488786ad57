import { type Static, Type } from "@sinclair/typebox";
import { Amount, Country, eventObject, Id } from "./common.ts";

export const ListingEvent = eventObject({
  type: Type.Union([Type.Literal("listing_created"), Type.Literal("listing_updated")]),
  listing_id: Id,
  host_id: Id,
  country: Country,
  /** In EUR, the marketplace's settlement currency for listings. */
  price_per_night: Amount,
});
export type ListingEvent = Static<typeof ListingEvent>;
