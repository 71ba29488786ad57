/** Last-writer-wins order: event time first, event id to break ties deterministically. */
export function isNewer(
  t: number,
  eventId: string,
  curT: string | undefined,
  curId: string | undefined,
): boolean {
  if (curT === undefined) return true;
  const ct = Number(curT);
  return t > ct || (t === ct && eventId > (curId ?? ""));
}
