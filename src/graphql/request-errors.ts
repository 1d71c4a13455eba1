import { GraphQLError } from "graphql";

/** The request-level error codes of the contract and the HTTP status each stands for. */
export const REQUEST_ERROR_STATUS = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  BAD_USER_INPUT: 400,
  QUERY_TOO_COMPLEX: 400,
  // Persisted queries, under the codes Apollo's and urql's clients know.
  PERSISTED_QUERY_NOT_FOUND: 404,
  PERSISTED_QUERY_NOT_IN_LIST: 404,
  QUERY_NOT_IN_SAFELIST: 403,
  TIMEOUT: 503,
  // A feature needs configuration the gateway does not have (provider credentials without an encryption key).
  ENCRYPTION_KEY_MISSING: 503,
  INTERNAL_SERVER_ERROR: 500,
} as const;
export type RequestErrorCode = keyof typeof REQUEST_ERROR_STATUS;

/**
 * A top-level GraphQL error with the contract's extensions. `http` is Yoga's
 * own extension: it sets the response status (and headers, such as
 * Retry-After) and is not sent to the client.
 */
export function requestError(
  code: RequestErrorCode,
  message: string,
  details?: Record<string, unknown>,
  headers?: Record<string, string>,
): GraphQLError {
  const status = REQUEST_ERROR_STATUS[code];
  return new GraphQLError(message, {
    extensions: { code, status, ...(details && { details }), http: { status, ...(headers && { headers }) } },
  });
}

export function isRequestErrorCode(code: unknown): code is RequestErrorCode {
  return typeof code === "string" && code in REQUEST_ERROR_STATUS;
}
