import type { Logger } from "../logger.ts";
import type { RequestRecord } from "./request-record.ts";

// Probes and scrapes every few seconds would drown the requests that matter.
const QUIET_PATHS = new Set(["/health", "/ready", "/metrics"]);

/**
 * One JSON line per answered request: who (key prefix, project, member), what
 * (operation), how it ended (status, error codes) and how long it took. No
 * header, variable or document content is logged.
 */
export const logRequest = (logger: Logger) => (record: RequestRecord) =>
  logger[QUIET_PATHS.has(record.path) ? "debug" : "info"](record, "request");
