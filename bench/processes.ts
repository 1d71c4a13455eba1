import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** A server under test, in a process of its own. */
export type ServerProcess = { url: string; stop(): Promise<void> };

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
  const child = spawn(process.execPath, [...flags, "--enable-source-maps", "dist/src/main.js"], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env, PORT: String(port) },
    // Its request log is written as in production, and thrown away here.
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, child);
  return { url, stop: () => stop(child) };
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
  return { url, stop: () => stop(child) };
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
