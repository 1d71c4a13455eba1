import { type ChildProcess, spawn } from "node:child_process";

// The server as `npm start` runs it, in a process of its own: real HTTP, real
// signals, and a pid that other processes can see.

export type ServerProcess = {
  child: ChildProcess;
  url: string;
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
};

const ENTRY = ["--import", "tsx", "src/main.ts"];
/** Servers started and not yet exited, so that a failed or timed-out test leaves none holding a data directory. */
const running = new Set<ChildProcess>();

/** kill -9 to every server a test left running; for afterEach. */
export async function killLeftoverServers(): Promise<void> {
  await Promise.all(
    [...running].map((child) => {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      return exited;
    }),
  );
}

/** Starts the server and resolves once it listens; rejects with its output if it exits first. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ENTRY, {
    env: { ...process.env, PORT: "0", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  running.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const listening = /"url":"([^"]+)"/.exec(output);
      if (listening) {
        clearInterval(timer);
        resolve(listening[1]!);
      }
    }, 20);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new ServerExitedError(code, output));
    });
  });
  return { child, url, output: () => output, exited };
}

export class ServerExitedError extends Error {
  constructor(
    readonly code: number | null,
    readonly output: string,
  ) {
    super(`the server exited with ${code}:\n${output}`);
  }
}

/** Sends SIGTERM and resolves with the exit code. */
export async function stopServerProcess(server: ServerProcess): Promise<number | null> {
  server.child.kill("SIGTERM");
  return server.exited;
}

/** kill -9: nothing in the process runs after it. */
export async function killServerProcess(server: ServerProcess): Promise<void> {
  server.child.kill("SIGKILL");
  await server.exited;
}

export async function postGraphQL(url: string, key: string, query: string, variables: object = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: any[] } };
}
