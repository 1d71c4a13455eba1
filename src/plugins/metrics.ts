import type { Plugin } from "graphql-yoga";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { hashesEqual, hashKey } from "../auth/keys.ts";
import type { ConnectionPool } from "../db/client.ts";
import type { RequestRecord } from "./request-record.ts";

// Clients name their operations: past this many names, new ones count as one, so a
// client cannot grow the registry (and every scrape) without bound.
const MAX_OPERATION_LABELS = 200;
const OTHER_OPERATIONS = "(other)";

/**
 * The service's Prometheus metrics, in a registry of its own (several servers in
 * one process, as in tests, do not mix): GraphQL requests by operation and
 * status with their duration, errors by code, rate-limit refusals, the
 * PostgreSQL pool's use, and Node's process metrics.
 */
export function createMetrics(graphqlEndpoint: string, pool: ConnectionPool | undefined) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const requests = new Histogram({
    name: "directory_graphql_request_duration_seconds",
    help: "GraphQL requests by operation, operation type and HTTP status, and how long they took to answer",
    labelNames: ["operation", "type", "status"] as const,
    registers,
  });
  const errors = new Counter({
    name: "directory_graphql_errors_total",
    help: "GraphQL requests answered with an error, by error code",
    labelNames: ["code"] as const,
    registers,
  });
  const rateLimited = new Counter({
    name: "directory_rate_limit_refusals_total",
    help: "Requests refused for going over a rate limit (RATE_LIMITED)",
    registers,
  });
  if (pool) registerPoolGauges(pool, registers);

  const operationNames = new Set<string>();
  const operationLabel = (name: string | undefined) => {
    if (name === undefined) return "";
    if (operationNames.size < MAX_OPERATION_LABELS) operationNames.add(name);
    return operationNames.has(name) ? name : OTHER_OPERATIONS;
  };

  function record({ path, operationName, operationType, status, durationMs, errorCodes }: RequestRecord) {
    if (path !== graphqlEndpoint) return;
    requests.observe({ operation: operationLabel(operationName), type: operationType ?? "", status }, durationMs / 1000);
    for (const code of errorCodes) errors.inc({ code });
    if (errorCodes.includes("RATE_LIMITED")) rateLimited.inc();
  }
  return { registry, record };
}

const POOL_GAUGES = [
  ["directory_db_pool_connections", "Connections open to PostgreSQL, idle or in use", "totalCount"],
  ["directory_db_pool_idle_connections", "Connections open to PostgreSQL and idle", "idleCount"],
  ["directory_db_pool_waiting_clients", "Queries waiting for a connection to PostgreSQL", "waitingCount"],
] as const;

function registerPoolGauges(pool: ConnectionPool, registers: Registry[]) {
  for (const [name, help, count] of POOL_GAUGES) {
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(pool[count]);
      },
    });
  }
}

/**
 * Serves the registry at /metrics in Prometheus' text format; with a token,
 * only to `Authorization: Bearer <token>`.
 */
export function metricsEndpoint(registry: Registry, token: string | undefined): Plugin {
  const tokenHash = token && hashKey(token);
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== "/metrics") return;
      const sent = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
      if (tokenHash && !(sent && hashesEqual(hashKey(sent), tokenHash))) {
        const headers = { "content-type": "text/plain", "www-authenticate": "Bearer" };
        endResponse(new fetchAPI.Response("Send METRICS_TOKEN as `Authorization: Bearer …`.\n", { status: 401, headers }));
        return;
      }
      endResponse(new fetchAPI.Response(await registry.metrics(), { headers: { "content-type": registry.contentType } }));
    },
  };
}
