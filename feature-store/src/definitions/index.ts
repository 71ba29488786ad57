export { checkoutEntityIds, ENTITIES, type Entity } from "./entities.ts";
export { FeatureSet, type FeatureVector, featureSetVersion } from "./feature-set.ts";
export type { FeatureSpec, FeatureType, SourceDescriptor } from "./feature-spec.ts";
export { FEATURES } from "./features.ts";
export { hasLink, hasOffPlatformContact, isDisposableEmailDomain } from "./message-signals.ts";
export { toEur, toEurCents } from "./money.ts";
export { FIELD, KEY_FORMAT_VERSION, STREAM } from "./state-names.ts";
export { DAY, HORIZON_MS, HOUR, LIFETIME_MAX_AGE_MS, MINUTE } from "./time.ts";
