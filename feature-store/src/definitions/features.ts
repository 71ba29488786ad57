import { OTHER_ENTITY_FEATURES } from "./entity-features.ts";
import type { FeatureSpec } from "./feature-spec.ts";
import { REQUEST_FEATURES } from "./request-features.ts";
import { USER_FEATURES } from "./user-features.ts";

/**
 * The feature set, in model input order: the user's, the other entities', then request-time
 * features. The order is part of the feature-set version; append new features at the end of their
 * list and retrain.
 */
export const FEATURES: readonly FeatureSpec[] = [
  ...USER_FEATURES,
  ...OTHER_ENTITY_FEATURES,
  ...REQUEST_FEATURES,
];
