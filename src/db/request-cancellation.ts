import pg from "pg";

/**
 * The pool of the gateway's PostgreSQL connections. An idle connection the
 * server ends (a restart, a dropped database) is taken out of the pool, which
 * opens a new one when asked; unheard, its error would end the process.
 */
export function connectionPool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config);
  pool.on("error", () => {});
  return pool;
}

/**
 * Runs one statement for a request whose `signal` aborts when its client goes
 * away: a statement not yet sent is refused, one running is cancelled in the
 * database (`pg_cancel_backend`), and its connection is then closed rather
 * than reused, so that a late cancel cannot reach the next request's statement.
 * The signal is handed down explicitly, not through AsyncLocalStorage, whose
 * promise hooks (Node 20) cost every request a fifth of its CPU; and the pool
 * is used with callbacks, as its own `query` does (awaiting the checkout cost
 * a page of users an eighth of its CPU, measured).
 */
export function queryForRequest(pool: pg.Pool, query: pg.QueryConfig, signal: AbortSignal) {
  if (signal.aborted) return Promise.reject(abandoned());
  return new Promise<pg.QueryResult>((resolve, reject) => {
    pool.connect((connectError, client, release) => {
      if (connectError || !client) return reject(connectError);
      // Aborted while it waited for a connection: nothing is sent.
      if (signal.aborted) {
        release();
        return reject(abandoned());
      }
      let cancelled = false;
      const onAbort = () => {
        cancelled = true;
        void cancelBackend(pool.options, (client as pg.PoolClient & { processID: number }).processID);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      client.query(query, (queryError, result) => {
        signal.removeEventListener("abort", onAbort);
        release(cancelled);
        if (queryError) reject(queryError);
        else resolve(result);
      });
    });
  });
}

/** As a statement cancelled for its abandoned request fails: SQLSTATE 57014. */
const abandoned = () => Object.assign(new Error("canceling statement due to user request: its request was abandoned"), { code: "57014" });

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
