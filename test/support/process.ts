import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { generateKey } from "../../src/auth/keys.ts";
import { adminQuery, databaseUrl } from "../../src/db/server-admin.ts";

// The service as a user runs it: a real process, real HTTP, real signals.

/** `output` is stdout and stderr as they came; `stdout` alone holds the JSON log lines. */
export type Started = {
  process: ChildProcess;
  url: string;
  output: () => string;
  stdout: () => string;
  exited: Promise<number | null>;
};

/** Spawns `command` and resolves once the service logs the URL it listens on (and its banner is out). */
export async function launch(command: string, args: string[], env: Record<string, string>, cwd?: string): Promise<Started> {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, PORT: "0", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let stdout = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const listening = /"url":"([^"]+)"/.exec(output);
      if (listening) {
        clearInterval(timer);
        // the key banner is printed right after the listening line
        setTimeout(() => resolve(listening[1]!), 200);
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`exited with ${code}:\n${output}`));
    });
  });
  return { process: child, url, output: () => output, stdout: () => stdout, exited };
}

/** `npm start` without the npm wrapper, from the sources. */
export function startFromSources(env: Record<string, string>): Promise<Started> {
  return launch(process.execPath, ["--import", "tsx", "src/main.ts"], env);
}

export async function graphql(url: string, key: string, query: string) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: await response.json() };
}

let databases = 0;

/**
 * Environment for a service on an empty database of the suite's kind, reachable with the key it returns:
 * in-memory PGlite, or a new PostgreSQL database dropped by the returned cleanup.
 */
const PROCESS_ENCRYPTION_KEY = randomBytes(32).toString("base64");

export async function freshDatabase(): Promise<{ env: Record<string, string>; key: string; drop: () => Promise<void> }> {
  const key = generateKey("SECRET");
  const template = inject("testDatabase");
  if (template.kind === "pglite") return { env: { DATABASE_URL: "memory://", DIRECTORY_SECRET_KEY: key }, key, drop: async () => {} };
  const name = `directory_process_${process.pid}_${++databases}`;
  await adminQuery(template.url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await adminQuery(template.url, `CREATE DATABASE "${name}"`);
  return {
    // Every gateway on a PostgreSQL database shares one key for secrets at rest, as a deployment's do.
    env: { DATABASE_URL: databaseUrl(template.url, name), DIRECTORY_SECRET_KEY: key, DIRECTORY_ENCRYPTION_KEY: PROCESS_ENCRYPTION_KEY },
    key,
    drop: () => adminQuery(template.url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}
