import { AsyncLocalStorage, AsyncResource } from "node:async_hooks";
import pg from "pg";

/** The signal of the request on whose behalf statements run now. */
const requestSignal = new AsyncLocalStorage<AbortSignal>();

/** Runs `work` for a request: PostgreSQL statements it starts are cancelled when `signal` aborts. */
export const runForRequest = <Result>(signal: AbortSignal, work: () => Result): Result => requestSignal.run(signal, work);

/**
 * A pool whose statements stop when the request they run for is abandoned:
 * the client going away aborts the request's signal, and the backend running
 * the statement gets `pg_cancel_backend`. A client cancelled that way is
 * closed rather than reused, so a late cancel cannot reach the next
 * request's statement.
 */
export function requestCancellingPool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config);
  // pg-pool hands a waiting caller the client another caller released: bound, the
  // callback runs in its own caller's request, not the releaser's. (Bound by hand:
  // AsyncResource.bind also defines deprecated accessors on every bound function,
  // which cost more than the rest of a checkout.)
  const connect = pool.connect.bind(pool) as (callback?: (...args: unknown[]) => void) => unknown;
  pool.connect = ((callback?: (...args: unknown[]) => void) => {
    if (!callback) return connect();
    const caller = new AsyncResource("pg-pool.connect");
    return connect((...args: unknown[]) => caller.runInAsyncScope(callback, undefined, ...args));
  }) as typeof pool.connect;
  pool.on("connect", (client) => cancelWithRequests(client, config));
  // An idle connection the server ends (a restart, a dropped database) is taken out
  // of the pool, which opens a new one when asked; unheard, its error would end the process.
  pool.on("error", () => {});
  return pool;
}

function cancelWithRequests(client: pg.PoolClient, config: pg.PoolConfig) {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  let cancelled = false;
  // pg-pool sets `release` anew at every checkout: each one, once cancelled, closes the client.
  let release: (error?: Error | boolean) => void = () => {};
  Object.defineProperty(client, "release", {
    configurable: true,
    get: () => (error?: Error | boolean) => release(error ?? cancelled),
    set: (value: typeof release) => {
      release = value;
    },
  });
  client.query = ((...args: unknown[]) => {
    const signal = requestSignal.getStore();
    if (!signal) return query(...args);
    // A statement its request would start once abandoned (the next of several reads) is not sent;
    // transaction control still is, so that the transaction ends and the connection goes back.
    if (signal.aborted && !TRANSACTION_CONTROL.test(statementText(args[0]))) return refuse(args.at(-1));
    const onAbort = () => {
      cancelled = true;
      void cancelBackend(config, (client as pg.PoolClient & { processID: number }).processID);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    const done = () => signal.removeEventListener("abort", onAbort);
    const callback = args.at(-1);
    if (typeof callback === "function") {
      return query(...args.slice(0, -1), (...result: unknown[]) => {
        done();
        callback(...result);
      });
    }
    return (query(...args) as Promise<unknown>).finally(done);
  }) as typeof client.query;
}

const TRANSACTION_CONTROL = /^\s*(BEGIN|START|COMMIT|END|ROLLBACK|ABORT|SAVEPOINT|RELEASE)\b/i;

const statementText = (query: unknown) =>
  typeof query === "string" ? query : String((query as { text?: unknown } | undefined)?.text ?? "");

/** As a statement cancelled for its abandoned request fails: SQLSTATE 57014. */
function refuse(callback: unknown) {
  const error = Object.assign(new Error("canceling statement due to user request: its request was abandoned"), { code: "57014" });
  if (typeof callback !== "function") return Promise.reject(error);
  queueMicrotask(() => callback(error));
  return undefined;
}

/** Best effort, on a connection of its own (the pool may be full): the statement timeout still bounds what it misses. */
async function cancelBackend(config: pg.PoolConfig, processId: number) {
  const client = new pg.Client({ ...config, options: undefined });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT pg_cancel_backend($1)", [processId]);
  } catch {
    // The backend is gone already, or the database is unreachable: nothing left to cancel.
  } finally {
    await client.end().catch(() => {});
  }
}
