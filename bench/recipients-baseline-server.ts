// The baseline server of npm run bench:recipients, in a process of its own: a
// minimal node:http handler that runs BASELINE_SQL through pg and answers its
// rows as JSON. DATABASE_URL: the bench's database.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { POSTGRES_SESSION_OPTIONS } from "../src/db/client.ts";
import { BASELINE_SQL } from "./recipients-baseline.ts";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2, options: POSTGRES_SESSION_OPTIONS });
// The same session settings as the gateway (JIT off: compiling this statement took a minute).

async function body(request: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of request) text += chunk;
  return text;
}

const server = createServer(async (request, response) => {
  try {
    const params = JSON.parse(await body(request)) as unknown[];
    const { rows } = await pool.query(BASELINE_SQL, params);
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(rows));
  } catch (error) {
    response.writeHead(500, { "content-type": "text/plain" }).end(String(error));
  }
});
server.listen(0, "127.0.0.1", () => console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
process.on("SIGTERM", () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
