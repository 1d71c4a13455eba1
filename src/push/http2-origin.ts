import { type ClientHttp2Session, connect, constants, type IncomingHttpHeaders, type OutgoingHttpHeaders } from "node:http2";

export type Http2Response = { status: number; headers: IncomingHttpHeaders; body: string };

const IDLE_CLOSE_MS = 60_000;

class TimeoutError extends Error {
  override name = "TimeoutError";
}

/**
 * One multiplexed HTTP/2 connection to an origin, opened on first use and
 * again after the server closes it (GOAWAY, idle, an error). TLS is verified
 * against Node's trust store (NODE_EXTRA_CA_CERTS adds to it).
 */
export class Http2Origin {
  private session: ClientHttp2Session | undefined;

  constructor(readonly origin: string) {}

  private connection(): ClientHttp2Session {
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    const session = connect(this.origin);
    const forget = () => {
      if (this.session === session) this.session = undefined;
    };
    session.on("error", forget);
    session.on("goaway", forget);
    session.on("close", forget);
    session.setTimeout(IDLE_CLOSE_MS, () => session.close());
    // An idle connection does not keep the process alive.
    session.unref();
    this.session = session;
    return session;
  }

  request(headers: OutgoingHttpHeaders, body: string, timeoutMs: number): Promise<Http2Response> {
    return new Promise((resolve, reject) => {
      let stream: ReturnType<ClientHttp2Session["request"]>;
      try {
        stream = this.connection().request(headers);
      } catch (error) {
        this.session = undefined;
        reject(error);
        return;
      }
      const timer = setTimeout(() => {
        stream.close(constants.NGHTTP2_CANCEL);
        reject(new TimeoutError(`no answer from ${this.origin} within ${timeoutMs} ms`));
      }, timeoutMs);
      let status = 0;
      let responseHeaders: IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      stream.on("response", (received) => {
        responseHeaders = received;
        status = Number(received[":status"]);
      });
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        clearTimeout(timer);
        resolve({ status, headers: responseHeaders, body: Buffer.concat(chunks).toString("utf8") });
      });
      stream.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      stream.end(body);
    });
  }

  close(): void {
    this.session?.close();
    this.session = undefined;
  }
}
