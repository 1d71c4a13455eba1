// The part of http_ece (web-push's own encryption library) the Web Push fake uses.
declare module "http_ece" {
  type DecryptParams = { version: "aes128gcm"; privateKey: import("node:crypto").ECDH; authSecret: string | Buffer };
  const ece: { decrypt(buffer: Buffer, params: DecryptParams): Buffer };
  export default ece;
}
