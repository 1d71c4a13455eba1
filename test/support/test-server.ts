import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { createApiKey, findOrCreateProject } from "../../src/auth/api-keys.ts";
import type { Scope } from "../../src/auth/keys.ts";
import { createRateLimiter } from "../../src/auth/rate-limit.ts";
import { loadConfig } from "../../src/config.ts";
import type { DatabaseOptions } from "../../src/db/client.ts";
import type { StatementListener } from "../../src/db/direct-reads.ts";
import { createLogger } from "../../src/logger.ts";
import { createServer } from "../../src/server.ts";
import { openTestDatabase } from "./test-database.ts";

/** The key of secrets at rest for test servers, which the tests' own webhook workers use as well. */
export const TEST_ENCRYPTION_KEY = randomBytes(32).toString("base64");
export const testEncryptionKey = () => Promise.resolve(Buffer.from(TEST_ENCRYPTION_KEY, "base64"));

export type GraphQLResponse<Data = any> = {
  status: number;
  headers: Headers;
  data?: Data;
  errors?: { message: string; path?: (string | number)[]; extensions: Record<string, any> }[];
};

/**
 * A server on a database of its own, with a project `test` and its secret key.
 * `graphql` posts through `yoga.fetch`, in process, as a client would over HTTP.
 */
export async function startTestServer(databaseOptions: Omit<DatabaseOptions, "queryEvents"> = {}) {
  const db = await openTestDatabase({ ...databaseOptions, queryEvents: true });
  const logs: Record<string, any>[] = [];
  // The service's own logger, writing to `logs` instead of stdout.
  const logger = createLogger(
    "info",
    new Writable({
      write(chunk, _encoding, done) {
        logs.push(JSON.parse(String(chunk)));
        done();
      },
    }),
  );
  const statementListeners = new Set<StatementListener>();
  // Every statement: Prisma's, and the hot reads sent through the driver directly.
  db.onStatement((event) => {
    for (const listener of statementListeners) listener(event);
  });

  async function createProject(name: string, scopes?: readonly Scope[]) {
    const project = await findOrCreateProject(db.prisma, name);
    const { key } = await createApiKey(db.prisma, { projectId: project.id, kind: "SECRET", scopes });
    return { projectId: project.id, secretKey: key };
  }
  const { projectId, secretKey } = await createProject("test");

  async function createPublishableKey(inProjectId = projectId) {
    return (await createApiKey(db.prisma, { projectId: inProjectId, kind: "PUBLISHABLE" })).key;
  }

  const closers: (() => Promise<void>)[] = [];
  /**
   * A gateway on this database; more than one act as several processes sharing it.
   * Configured from `env` alone, never from the test process's environment, with
   * TEST_ENCRYPTION_KEY unless `env` says otherwise (`DIRECTORY_ENCRYPTION_KEY: undefined`: none).
   */
  async function startInstance(env: Record<string, string | undefined> = {}) {
    const config = loadConfig({ DIRECTORY_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, ...env });
    const rateLimiter = await createRateLimiter(config.rateLimit, logger);
    closers.push(() => rateLimiter.close());
    const yoga = createServer({ prisma: db.prisma, logger, rateLimiter, config, databasePool: db.pool });

    async function graphql<Data = any>(
      query: string,
      variables: Record<string, unknown> = {},
      {
        key = secretKey,
        headers = {},
        operationName,
      }: { key?: string | null; headers?: Record<string, string>; operationName?: string } = {},
    ): Promise<GraphQLResponse<Data>> {
      const response = await yoga.fetch("http://localhost/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", ...(key && { authorization: `Bearer ${key}` }), ...headers },
        body: JSON.stringify({ query, variables, operationName }),
      });
      return { status: response.status, headers: response.headers, ...(await response.json()) };
    }
    return { yoga, graphql };
  }
  // Requests through yoga.fetch have no client address, so they all share one anonymous budget.
  // The secret key stays cached for the whole file: statement counts must not depend on how slow the machine is.
  const { yoga, graphql } = await startInstance({ ANONYMOUS_RATE_LIMIT_PER_MINUTE: "100000", SECRET_KEY_CACHE_SECONDS: "3600" });

  async function close() {
    for (const closeOne of closers) await closeOne();
    await db.close();
  }

  /** Counts the SQL statements `run` causes. */
  async function countStatements(run: () => Promise<unknown>): Promise<number> {
    return (await recordStatements(run)).length;
  }

  /** The SQL of every statement `run` causes, in the order they were sent. */
  async function recordStatements(run: () => Promise<unknown>): Promise<string[]> {
    const statements: string[] = [];
    const listener: StatementListener = ({ query }) => statements.push(query);
    statementListeners.add(listener);
    try {
      await run();
      return statements;
    } finally {
      statementListeners.delete(listener);
    }
  }

  return {
    db,
    prisma: db.prisma,
    yoga,
    logs,
    projectId,
    secretKey,
    graphql,
    createProject,
    createPublishableKey,
    startInstance,
    countStatements,
    recordStatements,
    close,
  };
}

export type TestServer = Awaited<ReturnType<typeof startTestServer>>;
