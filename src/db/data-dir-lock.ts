import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import lockfile from "proper-lockfile";

// A PGlite data directory is a PostgreSQL cluster without a postmaster to
// guard it: two processes opening it would both write to it, and a key created
// by one would never reach the other. Whoever opens it holds this lock until
// it closes it.

/** The lock is a directory (created atomically) that its holder keeps fresh; the pid file beside it says who that is. */
const LOCK_NAME = "gateway.lock";
const PID_NAME = "gateway.pid";
/**
 * A holder whose pid is gone (kill -9, a crash) loses the lock at once; one not
 * refreshed for this long loses it even if its pid is alive (reused by
 * another process).
 */
const STALE_MS = 30_000;

export class DataDirectoryInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holderPid: number | undefined,
  ) {
    const holder = holderPid === undefined ? "another process" : `process ${holderPid}`;
    const stop = holderPid === undefined ? "Stop it" : `Stop it (kill ${holderPid})`;
    super(
      `The data directory ${dataDir} is in use by ${holder}: an embedded database is opened by one process at a time. ` +
        `${stop} and try again, or work through the server it runs (its GraphQL API) instead.`,
    );
  }
}

/** Directories this process holds: opening one twice is refused, not mistaken for a stale lock of our own pid. */
const held = new Set<string>();

/** Takes the data directory's lock or throws DataDirectoryInUseError; resolves to the function that releases it. */
export async function lockDataDirectory(dataDir: string): Promise<() => Promise<void>> {
  const directory = resolve(dataDir);
  const lockPath = join(directory, LOCK_NAME);
  const pidPath = join(directory, PID_NAME);
  if (held.has(directory)) throw new DataDirectoryInUseError(directory, process.pid);

  const options = {
    lockfilePath: lockPath,
    realpath: false,
    stale: STALE_MS,
    onCompromised: () => {
      // Another process took the lock over while this one stalled past STALE_MS: two writers must not go on.
      console.error(`Lost the lock on ${directory} to another process; stopping so that only one process writes to it.`);
      process.exit(1);
    },
  };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(directory, options);
  } catch (error) {
    if ((error as { code?: string }).code !== "ELOCKED") throw error;
    const pid = holderOf(lockPath, pidPath);
    if (pid === undefined || isAlive(pid)) throw new DataDirectoryInUseError(directory, pid);
    // The holder died without releasing it: its lock means nothing now.
    await rm(lockPath, { recursive: true, force: true });
    release = await lockfile.lock(directory, options).catch((again: { code?: string }) => {
      throw again.code === "ELOCKED" ? new DataDirectoryInUseError(directory, holderOf(lockPath, pidPath)) : again;
    });
  }

  writeFileSync(pidPath, `${process.pid}\n`);
  held.add(directory);
  const removePidFile = () => rmSync(pidPath, { force: true });
  // On exit proper-lockfile removes its lock directory; the pid file goes with it.
  process.once("exit", removePidFile);
  return async () => {
    process.off("exit", removePidFile);
    removePidFile();
    held.delete(directory);
    await release();
  };
}

/**
 * The pid written by the lock's holder; undefined when unknown, as when the
 * pid file is older than the lock (its holder took it a moment ago and is
 * about to write its pid: the old pid must not make its lock look stale).
 */
function holderOf(lockPath: string, pidPath: string): number | undefined {
  try {
    const lockCreated = statSync(lockPath).birthtimeMs;
    const pidFile = statSync(pidPath);
    if (pidFile.mtimeMs < lockCreated) return undefined;
    const pid = Number(readFileSync(pidPath, "utf8").trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid runs; our own pid means a lock left by an earlier process that had it (containers reuse pids). */
function isAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as { code?: string }).code === "EPERM";
  }
}
