import type { Server } from "node:http";
import type { Logger } from "./logger.ts";

/**
 * A function that stops the server gracefully: no new connections, in-flight requests finish, and
 * after `timeoutSeconds` the connections still open are closed. It resolves once none is left.
 */
export function gracefulClose(http: Server, timeoutSeconds: number, logger: Logger): () => Promise<void> {
  let closing = false;
  // server.close() leaves a keep-alive connection open until it idles out (5 s): close each as its response ends.
  http.on("request", (_request, response) => {
    response.on("finish", () => {
      if (closing) http.closeIdleConnections();
    });
  });
  return async () => {
    closing = true;
    const closed = new Promise<void>((resolve) => http.close(() => resolve()));
    http.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<true>((resolve) => (timer = setTimeout(() => resolve(true), timeoutSeconds * 1000)));
    if (await Promise.race([closed, timedOut])) {
      logger.warn({ timeoutSeconds }, "shutdown timeout reached: closing the connections of unfinished requests");
      http.closeAllConnections();
      await closed;
    }
    clearTimeout(timer);
  };
}
