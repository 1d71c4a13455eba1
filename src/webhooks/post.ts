import http from "node:http";
import https from "node:https";
import { publicOnlyLookup } from "./url-safety.ts";

export type PostOutcome = { ok: boolean; status: number | null; error: string | null };

/** How much of a response is read: enough to log, not enough to hold memory. */
const MAX_RESPONSE_BYTES = 4096;

/**
 * POSTs a JSON body, following no redirect (a redirect could lead to a
 * private address), within `timeoutMs` for the whole exchange. Never throws:
 * a failure is an outcome.
 */
export function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  allowPrivate: boolean,
): Promise<PostOutcome> {
  return new Promise((resolve) => {
    const target = new URL(url);
    const client = target.protocol === "https:" ? https : http;
    const request = client.request(
      target,
      {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "user-directory-webhooks/1", ...headers },
        lookup: publicOnlyLookup(allowPrivate),
        timeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response) => {
        let read = 0;
        response.on("data", (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_RESPONSE_BYTES) response.destroy();
        });
        const status = response.statusCode ?? 0;
        const done = () =>
          resolve({ ok: status >= 200 && status < 300, status, error: status >= 200 && status < 300 ? null : `HTTP ${status}` });
        response.on("end", done);
        response.on("close", done);
        response.on("error", done);
      },
    );
    request.on("timeout", () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on("error", (error) => resolve({ ok: false, status: null, error: error.message.slice(0, 500) }));
    request.end(body);
  });
}
