export { type Admission, admitCheckout, admitEvent, labelApplyTime, refuseFutureEvent } from "./admission.ts";
export { update } from "./update.ts";
