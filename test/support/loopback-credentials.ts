import { readFileSync } from "node:fs";
import { inject } from "vitest";
import "./loopback-tls.ts";

/** The run's loopback certificate and key (see loopback-tls.ts), for servers in a test. */
export function loopbackCredentials(): { cert: Buffer; key: Buffer } {
  const { certFile, keyFile } = inject("loopbackTls");
  return { cert: readFileSync(certFile), key: readFileSync(keyFile) };
}
