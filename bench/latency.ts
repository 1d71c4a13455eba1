/** One request of a contender, given a running number. */
export type Call = (i: number) => Promise<void>;
export type LatencyStats = { p50: number; p95: number; perSecond: number };

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

// The two contenders take turns, slice by slice (each going first in every
// other slice), so that whatever else the machine does at the time weighs on
// both alike. Each walks the same sequence of running numbers, so that both
// get the same inputs, however much their costs vary.

/**
 * Latency percentiles and requests per second of each contender, each
 * running from `clients` concurrent loops for `slices` turns of `sliceSeconds`.
 */
export async function compareLatency(
  slices: number,
  sliceSeconds: number,
  clients: number,
  contenders: { gateway: Call; raw: Call },
): Promise<{ gateway: LatencyStats; raw: LatencyStats }> {
  const samples = { gateway: [] as number[], raw: [] as number[] };
  const elapsed = { gateway: 0, raw: 0 };
  const next = { gateway: 0, raw: 0 };
  for (let slice = 0; slice < slices; slice++) {
    for (const name of slice % 2 === 0 ? (["gateway", "raw"] as const) : (["raw", "gateway"] as const)) {
      const started = performance.now();
      const deadline = started + sliceSeconds * 1000;
      await Promise.all(
        Array.from({ length: clients }, async () => {
          while (performance.now() < deadline) {
            const sent = performance.now();
            await contenders[name](next[name]++);
            samples[name].push(performance.now() - sent);
          }
        }),
      );
      elapsed[name] += performance.now() - started;
    }
  }
  const stats = (name: "gateway" | "raw"): LatencyStats => {
    const sorted = samples[name].sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), perSecond: (sorted.length / elapsed[name]) * 1000 };
  };
  return { gateway: stats("gateway"), raw: stats("raw") };
}
