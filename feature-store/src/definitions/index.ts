// Public entry point of the feature definitions: the feature set served and trained on, money, time.
export * from "./feature-set.ts";
export * from "./features.ts";
export * from "./money.ts";
export * from "./time.ts";
