import { type ExecutionResult, GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Logger } from "pino";
import { isStatementCancelled } from "../db/driver-errors.ts";
import { isRequestErrorCode, REQUEST_ERROR_STATUS, requestError } from "../graphql/request-errors.ts";

const INCOMING_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives every request an id (a sane incoming `x-request-id` is kept, so logs
 * line up with a proxy's), returns it as a header, and brings every error to
 * the contract's shape: a known code, its HTTP status and the request id.
 * Anything unexpected is logged whole and masked.
 */
export function errorHandling(logger: Logger, requestIds: WeakMap<Request, string>): Plugin {
  return {
    onRequest({ request }) {
      const incoming = request.headers.get("x-request-id");
      requestIds.set(request, incoming && INCOMING_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID());
    },
    onResultProcess({ request, result, setResult }) {
      const requestId = requestIds.get(request) ?? crypto.randomUUID();
      const normalize = (item: ExecutionResult): ExecutionResult => {
        if (!item.errors) return item;
        const partial = answersSomeField(item);
        return { ...item, errors: item.errors.map((error) => normalizeError(error, requestId, logger, partial)) };
      };
      if (Array.isArray(result)) setResult(result.map(normalize));
      else if (!(Symbol.asyncIterator in result)) setResult(normalize(result));
    },
    onResponse({ request, response }) {
      const requestId = requestIds.get(request);
      if (requestId) response.headers.set("x-request-id", requestId);
    },
  };
}

/**
 * Whether a root field of the result answered: it has data, or it is null
 * without an error of its own. Such a response is HTTP 200 whatever its
 * errors, as GraphQL clients expect of partial results; a response in which
 * every field failed keeps its errors' status (403 for a refused field).
 */
function answersSomeField({ data, errors = [] }: ExecutionResult): boolean {
  if (!data) return false;
  const failed = new Set(errors.map((error) => error.path?.[0]));
  return Object.entries(data).some(([field, value]) => value !== null || !failed.has(field));
}

/** `partial`: other fields of the response answered, so the error does not set the HTTP status. */
function normalizeError(error: GraphQLError, requestId: string, logger: Logger, partial: boolean): GraphQLError {
  // graphql-jit reports variables of the wrong type without extensions.
  const extensions = error.extensions ?? {};
  const code = extensions.code;
  const original = error.originalError;
  // Headers such as Retry-After stay.
  const { headers } = (extensions.http ?? {}) as { headers?: Record<string, string> };
  const http = (status: number) => (partial ? { headers } : { status, headers });
  if (isRequestErrorCode(code)) {
    const status = REQUEST_ERROR_STATUS[code];
    // Yoga marks validation errors `spec` to answer them 200 to application/json clients;
    // the contract's status wins (QUERY_TOO_COMPLEX is 400).
    return withExtensions(error, { ...extensions, code, status, requestId, http: http(status) });
  }
  if (isStatementCancelled(original)) {
    logger.warn({ requestId, path: error.path }, "statement cancelled: statement timeout");
    const timeout = requestError(
      "TIMEOUT",
      "The database took too long and the request was cancelled; narrow it (a smaller page, a shorter search) or retry.",
    );
    return withExtensions(error, { ...timeout.extensions, requestId, http: http(REQUEST_ERROR_STATUS.TIMEOUT) }, timeout.message);
  }
  if (original && !(original instanceof GraphQLError)) {
    logger.error({ requestId, err: original, path: error.path }, "unexpected error");
    const masked = requestError("INTERNAL_SERVER_ERROR", "Internal server error.");
    return withExtensions(
      error,
      { ...masked.extensions, requestId, http: http(REQUEST_ERROR_STATUS.INTERNAL_SERVER_ERROR) },
      masked.message,
    );
  }
  // What GraphQL itself rejects: syntax, unknown fields, variables of the wrong type, bad HTTP requests.
  const status = (extensions.http as { status?: number } | undefined)?.status ?? 400;
  return withExtensions(error, { code: "BAD_USER_INPUT", status, requestId, http: http(status) });
}

function withExtensions(error: GraphQLError, extensions: Record<string, unknown>, message = error.message) {
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions,
  });
}
