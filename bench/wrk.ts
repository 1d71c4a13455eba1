import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** What one load run measured. */
export type LoadRun = { requests: number; seconds: number; errors: number; p50: number; p99: number };

/**
 * POSTs `bodies` in turn (each thread starting at its own share of them) to `url` from
 * `connections` connections for `seconds` (whole seconds), with wrk in a process of its own
 * (`apt-get install wrk`), and reads back its counts and latency percentiles (ms).
 */
export async function runWrk(
  url: string,
  bodies: string[],
  headers: Record<string, string>,
  connections: number,
  seconds: number,
): Promise<LoadRun> {
  const dir = mkdtempSync(join(tmpdir(), "bench-wrk-"));
  try {
    const script = join(dir, "script.lua");
    const threads = Math.min(2, connections);
    const duration = `${Math.max(1, Math.round(seconds))}s`;
    writeFileSync(script, luaScript(join(dir, "bodies.lua"), headers, threads));
    writeFileSync(join(dir, "bodies.lua"), `return {${bodies.map(luaString).join(",\n")}}`);
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        "wrk",
        ["-t", String(threads), "-c", String(connections), "-d", duration, "--timeout", "10s", "-s", script, url],
        { maxBuffer: 1 << 24 },
        (error, out) => (error ? reject(error) : resolve(out)),
      ),
    );
    const line = stdout.split("\n").find((one) => one.startsWith("RESULT "));
    if (!line) throw new Error(`wrk said:\n${stdout}`);
    return JSON.parse(line.slice("RESULT ".length)) as LoadRun;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const luaString = (text: string) => `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;

function luaScript(bodiesFile: string, headers: Record<string, string>, threads: number): string {
  return `
local bodies = dofile(${luaString(bodiesFile)})
wrk.method = "POST"
${Object.entries(headers)
  .map(([name, value]) => `wrk.headers[${luaString(name)}] = ${luaString(value)}`)
  .join("\n")}
local counter = 0
local started = 0
-- Each thread starts its own share of the bodies apart, so that no two send the same one at once.
function setup(thread)
  thread:set("offset", started)
  started = started + 1
end
function init(args)
  counter = offset * math.floor(#bodies / ${threads})
end
function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, bodies[(counter % #bodies) + 1])
end
function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout
  io.write(string.format('RESULT {"requests":%d,"seconds":%f,"errors":%d,"p50":%f,"p99":%f}\\n',
    summary.requests, summary.duration / 1e6, errors, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
`;
}
