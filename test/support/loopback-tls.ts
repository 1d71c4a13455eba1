import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A certificate for 127.0.0.1 and localhost, and its key, as PEM files. */
export type LoopbackTls = { certFile: string; keyFile: string; dir: string };

declare module "vitest" {
  export interface ProvidedContext {
    loopbackTls: LoopbackTls;
  }
}

/**
 * A self-signed P-256 certificate made for this run. The global setup sets
 * NODE_EXTRA_CA_CERTS to it before test processes start (Node reads the
 * variable only at start), so the gateway's clients verify the fakes' TLS as
 * they would a real provider's: nothing in the code under test trusts them specially.
 */
export function makeLoopbackCertificate(): LoopbackTls {
  const dir = mkdtempSync(join(tmpdir(), "loopback-tls-"));
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ],
    { stdio: "ignore" },
  );
  return { certFile, keyFile, dir };
}

export const removeLoopbackCertificate = (tls: LoopbackTls) => rmSync(tls.dir, { recursive: true, force: true });
