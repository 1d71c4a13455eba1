import type { CORSOptions, Plugin } from "graphql-yoga";
import type { CorsConfig } from "../config.ts";

/** Headers browser code may read: the request id to quote when reporting a problem, Retry-After to back off. */
const EXPOSED_HEADERS = ["x-request-id", "Retry-After"];

/**
 * Yoga's CORS policy: with no list of origins every origin is answered
 * (development); with one, only the listed origins get CORS headers, so
 * browsers refuse other sites' requests and preflights.
 */
export function corsPolicy({ origins, maxAgeSeconds }: CorsConfig): (request: Request) => CORSOptions {
  const answered = { exposedHeaders: EXPOSED_HEADERS, maxAge: maxAgeSeconds };
  if (!origins) return () => answered;
  const listed = new Set(origins);
  return (request) => {
    const origin = request.headers.get("origin");
    return origin !== null && listed.has(origin) ? { ...answered, origin: [origin] } : false;
  };
}

/** With a list, the answer depends on the request's Origin: caches must keep one origin's copy from another. */
export const varyByOrigin: Plugin = {
  onResponse({ response }) {
    const vary = response.headers.get("vary") ?? "";
    if (!/(^|,)\s*origin\s*(,|$)/i.test(vary)) response.headers.set("vary", vary ? `${vary}, Origin` : "Origin");
  },
};
