/** A way to do the work being measured, called with a running number. */
export type Run = (i: number) => Promise<void>;
/** Operations (or items) per second of each contender. */
export type Rates = { gateway: number; raw: number };

// The two contenders take turns, slice by slice, so that whatever else the
// machine does at the time weighs on both alike.

/** Each contender runs from `clients` concurrent loops, `slices` turns of `sliceSeconds` each. */
export async function compareLoops(
  slices: number,
  sliceSeconds: number,
  clients: number,
  contenders: { gateway: Run; raw: Run },
): Promise<Rates> {
  const totals = { gateway: { count: 0, ms: 0 }, raw: { count: 0, ms: 0 } };
  let next = 0;
  for (let slice = 0; slice < slices; slice++) {
    for (const name of ["gateway", "raw"] as const) {
      const started = performance.now();
      const deadline = started + sliceSeconds * 1000;
      let count = 0;
      await Promise.all(
        Array.from({ length: clients }, async () => {
          while (performance.now() < deadline) {
            await contenders[name](next++);
            count++;
          }
        }),
      );
      totals[name].count += count;
      totals[name].ms += performance.now() - started;
    }
  }
  return { gateway: (totals.gateway.count / totals.gateway.ms) * 1000, raw: (totals.raw.count / totals.raw.ms) * 1000 };
}
