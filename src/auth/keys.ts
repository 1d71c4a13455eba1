import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import baseX from "base-x";

const base62 = baseX("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

export const KEY_KINDS = { SECRET: "sk_", PUBLISHABLE: "pk_" } as const;
export type KeyKind = keyof typeof KEY_KINDS;

/** The scopes a secret key can carry; a key created without a list gets all of them. */
export const SCOPES = [
  "users:read",
  "users:write",
  "channels:read",
  "channels:write",
  "organizations:read",
  "organizations:write",
  "tokens:write",
  "members:write",
  "roles:write",
  "events:read",
  "webhooks:write",
  "push:send",
  "push:read",
] as const;
export type Scope = (typeof SCOPES)[number];

/** A new key: its kind's prefix and 32 random bytes in base62. */
export function generateKey(kind: KeyKind): string {
  return KEY_KINDS[kind] + base62.encode(randomBytes(32));
}

/** Keys carry 190 bits of randomness, so one round of SHA-256 is as strong as a slow hash. */
export function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** What listings show of a key: enough to recognise it, too little to use it. */
export function keyPrefix(key: string): string {
  return key.slice(0, 11);
}

export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && timingSafeEqual(left, right);
}
