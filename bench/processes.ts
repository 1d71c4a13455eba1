import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** A server under test, in a process of its own (its workers, if any, its children). */
export type ServerProcess = { url: string; stop(): Promise<void>; cpuSeconds(): number };

const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU time (user and system) the process and its children alive now have
 * used, from /proc (Linux); 0 elsewhere. Under a busy machine this is the
 * steadier measure: what a request costs, not how long it waited for a core.
 */
function cpuSecondsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    const own = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(" ").filter(Boolean).map(Number);
    return own + children.reduce((sum, child) => sum + cpuSecondsOf(child), 0);
  } catch {
    return 0;
  }
}

/** Compiles the service to dist/ as `npm run build` does, so that the gateway runs as `npm start` runs it. */
export function buildGateway(): void {
  if (process.env.BENCH_SKIP_BUILD === "1") return;
  console.error("Building dist/ (npm run build; BENCH_SKIP_BUILD=1 skips it)…");
  execFileSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
}

/** A port free at the time of asking. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on("error", reject);
  });
}

/**
 * The gateway as `npm start` starts it (`node --enable-source-maps dist/src/main.js`), on
 * the given environment. `cpuProfileDir` adds `--cpu-prof`: the profile is written when it stops.
 */
export async function startGateway(env: Record<string, string>, cpuProfileDir?: string): Promise<ServerProcess> {
  const port = await freePort();
  const flags = cpuProfileDir ? ["--cpu-prof", "--cpu-prof-dir", cpuProfileDir] : [];
  // BENCH_GATEWAY_DIR: another build to run instead (say, of an older commit, for before and after).
  const child = spawn(process.execPath, [...flags, "--enable-source-maps", "dist/src/main.js"], {
    cwd: process.env.BENCH_GATEWAY_DIR ?? root,
    env: { PATH: process.env.PATH, ...env, PORT: String(port) },
    // Its request log is written as in production, and thrown away here.
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, child);
  return { url, stop: () => stop(child), cpuSeconds: () => cpuSecondsOf(child.pid!) };
}

/** The raw baseline (bench/raw-server.ts) on the same database. */
export async function startRawBaseline(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "bench/raw-server.ts"], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env, PORT: String(port) },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, child, "POST");
  return { url, stop: () => stop(child), cpuSeconds: () => cpuSecondsOf(child.pid!) };
}

async function waitForHealth(url: string, child: ChildProcess, method = "GET"): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server at ${url} exited with ${child.exitCode}`);
    try {
      const response = await fetch(method === "GET" ? `${url}/health` : url, {
        method,
        ...(method === "POST" && { body: JSON.stringify({ statements: [["SELECT 1", []]] }) }),
      });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`the server at ${url} did not answer within a minute`);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
