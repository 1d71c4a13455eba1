// The raw baseline as a process of its own: a minimal node:http handler that
// runs the statements a request names through the driver (a pg pool as large
// as the gateway's; PGlite on a copy of the gateway's data directory) and
// answers the rows as JSON. Nothing else: no parsing beyond JSON, no auth, no
// validation. Started by the benchmarks with the database in DATABASE_URL or
// BENCH_RAW_DATA_DIR and the port in PORT; answers "listening" on stdout.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { openPGlite, POSTGRES_SESSION_OPTIONS } from "../src/db/client.ts";
import type { Statement } from "./raw-baseline.ts";

/** What a request asks: statements in turn until `pageSize` rows are found (search segments), or all of them. */
export type RawRequest = { statements: Statement[]; pageSize?: number };

const POOL_SIZE = Number(process.env.BENCH_POOL_SIZE ?? 10);

async function driver(): Promise<(sql: string, params: unknown[]) => Promise<{ rows: unknown[] }>> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, options: POSTGRES_SESSION_OPTIONS });
    return (sql, params) => pool.query(sql, params);
  }
  const { pglite } = await openPGlite(process.env.BENCH_RAW_DATA_DIR ?? "memory://");
  return (sql, params) => pglite.query(sql, params);
}

const query = await driver();
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", async () => {
    try {
      const { statements, pageSize = Number.POSITIVE_INFINITY } = JSON.parse(Buffer.concat(chunks).toString()) as RawRequest;
      const rows: unknown[] = [];
      for (const [sql, params] of statements) {
        if (rows.length >= pageSize) break;
        rows.push(...(await query(sql, params)).rows);
      }
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(rows.slice(0, pageSize)));
    } catch (error) {
      response.writeHead(500, { "content-type": "text/plain" }).end(String(error));
    }
  });
});
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  console.log(`listening ${(server.address() as AddressInfo).port}`);
});
process.on("SIGTERM", () => process.exit(0));
