import { type LoadRun, runWrk } from "./wrk.ts";

/** A server under test and what to send it: request bodies taken in turn, headers on each; its CPU time used so far. */
export type Contender = { url: string; bodies: string[]; headers?: Record<string, string>; cpuSeconds(): number };
/** `cpuPerRequest`: the server's CPU time per request, in µs. */
export type LoadStats = { perSecond: number; p50: number; p99: number; errors: number; requests: number; cpuPerRequest: number };

// The contenders take turns, slice by slice (each going first in every other
// slice), so that whatever else the machine does at the time weighs on both
// alike; each gets the same bodies at the same concurrency.

/** Requests per second and latency (ms; the mean of the slices' percentiles) of each contender. */
export async function compareLoad(
  slices: number,
  sliceSeconds: number,
  connections: number,
  contenders: { gateway: Contender; raw: Contender },
): Promise<{ gateway: LoadStats; raw: LoadStats }> {
  const runs = { gateway: [] as LoadRun[], raw: [] as LoadRun[] };
  const cpu = { gateway: 0, raw: 0 };
  for (let slice = 0; slice < slices; slice++) {
    for (const name of slice % 2 === 0 ? (["gateway", "raw"] as const) : (["raw", "gateway"] as const)) {
      const { url, bodies, headers = {}, cpuSeconds } = contenders[name];
      const before = cpuSeconds();
      runs[name].push(await runWrk(url, bodies, { "content-type": "application/json", ...headers }, connections, sliceSeconds));
      cpu[name] += cpuSeconds() - before;
    }
  }
  const stats = (all: LoadRun[], cpuSeconds: number): LoadStats => {
    const sum = (pick: (run: LoadRun) => number) => all.reduce((total, run) => total + pick(run), 0);
    return {
      perSecond: sum((run) => run.requests) / sum((run) => run.seconds),
      p50: sum((run) => run.p50) / all.length,
      p99: sum((run) => run.p99) / all.length,
      errors: sum((run) => run.errors),
      requests: sum((run) => run.requests),
      cpuPerRequest: (cpuSeconds / sum((run) => run.requests)) * 1e6,
    };
  };
  return { gateway: stats(runs.gateway, cpu.gateway), raw: stats(runs.raw, cpu.raw) };
}
