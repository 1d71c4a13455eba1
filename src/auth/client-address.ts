import type { IncomingMessage } from "node:http";
import proxyAddr from "proxy-addr";
import type { TrustedProxies } from "../config.ts";

/** Where a request comes from, for the budgets of requests without a known caller. */
export type ClientAddressOf = (req: IncomingMessage | undefined) => string | undefined;

/**
 * The address a request comes from: the socket's peer, unless that peer is a
 * trusted proxy, then the nearest address in X-Forwarded-For that no trusted
 * proxy added (proxy-addr reads it as Express does). X-Forwarded-For from
 * anyone else is ignored: a client could write anything there. Undefined
 * without a socket, as for a request handed to `yoga.fetch` in process.
 */
export function clientAddressOf(trusted: TrustedProxies): ClientAddressOf {
  const trust = typeof trusted === "number" ? (_address: string, hop: number) => hop < trusted : proxyAddr.compile([...trusted]);
  return (req) => (req?.socket?.remoteAddress ? proxyAddr(req, trust) : undefined);
}
