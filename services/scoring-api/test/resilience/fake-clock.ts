/** A clock the test moves by hand: breakers and guards take it in place of performance.now. */
export function fakeClock(start = 1_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}
