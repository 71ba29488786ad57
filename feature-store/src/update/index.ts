export { type Admission, admitCheckout, admitEvent, refuseFutureEvent } from "./admission.ts";
export { update } from "./update.ts";
