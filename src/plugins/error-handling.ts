import { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Logger } from "pino";
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
      const normalize = (error: GraphQLError) => normalizeError(error, requestId, logger);
      if (Array.isArray(result)) {
        setResult(result.map((item) => (item.errors ? { ...item, errors: item.errors.map(normalize) } : item)));
      } else if (!(Symbol.asyncIterator in result) && result.errors) {
        setResult({ ...result, errors: result.errors.map(normalize) });
      }
    },
    onResponse({ request, response }) {
      const requestId = requestIds.get(request);
      if (requestId) response.headers.set("x-request-id", requestId);
    },
  };
}

function normalizeError(error: GraphQLError, requestId: string, logger: Logger): GraphQLError {
  // graphql-jit reports variables of the wrong type without extensions.
  const extensions = error.extensions ?? {};
  const code = extensions.code;
  const original = error.originalError;
  if (isRequestErrorCode(code)) {
    const status = REQUEST_ERROR_STATUS[code];
    // Yoga marks validation errors `spec` to answer them 200 to application/json clients;
    // the contract's status wins (QUERY_TOO_COMPLEX is 400). Headers such as Retry-After stay.
    const { headers } = (extensions.http ?? {}) as { headers?: Record<string, string> };
    return withExtensions(error, { ...extensions, code, status, requestId, http: { status, headers } });
  }
  if (original && !(original instanceof GraphQLError)) {
    logger.error({ requestId, err: original, path: error.path }, "unexpected error");
    const masked = requestError("INTERNAL_SERVER_ERROR", "Internal server error.");
    return withExtensions(error, { ...masked.extensions, requestId }, masked.message);
  }
  // What GraphQL itself rejects: syntax, unknown fields, variables of the wrong type, bad HTTP requests.
  const status = (extensions.http as { status?: number } | undefined)?.status ?? 400;
  return withExtensions(error, { code: "BAD_USER_INPUT", status, requestId, http: { status } });
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
