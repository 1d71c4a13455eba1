import { createECDH, createHash, createPrivateKey } from "node:crypto";
import { z } from "zod";
import type { ChannelProvider } from "../db/generated/prisma/enums.ts";
import { ValidationError } from "../errors.ts";
import { base64url, email, httpsUrl, plainText, storableText } from "../validation/formats.ts";
import { parseOrThrow } from "../validation/problems.ts";

export const PUSH_PROVIDERS = ["APNS", "FCM", "WEB_PUSH"] as const satisfies readonly ChannelProvider[];
export type PushChannelProvider = (typeof PUSH_PROVIDERS)[number];
export const isPushProvider = (provider: ChannelProvider): provider is PushChannelProvider =>
  (PUSH_PROVIDERS as readonly string[]).includes(provider);

const MAX_PEM = 16_384;

/** A PEM private key that Node can load, of the type and curve the provider signs with. */
const privateKeyPem = (type: "ec" | "rsa", describe: string) =>
  storableText.max(MAX_PEM, `must be at most ${MAX_PEM} characters`).refine(
    (pem) => {
      try {
        const key = createPrivateKey(pem);
        return key.asymmetricKeyType === type && (type !== "ec" || key.asymmetricKeyDetails?.namedCurve === "prime256v1");
      } catch {
        return false;
      }
    },
    { message: `must be ${describe} in PEM` },
  );

const appleId = z.string().regex(/^[A-Z0-9]{10}$/, "must be 10 upper-case letters or digits");

const apns = z.strictObject({
  teamId: appleId,
  keyId: appleId,
  privateKey: privateKeyPem("ec", "the P-256 key of an APNs auth key (.p8)"),
  bundleId: z.string().regex(/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/, "must be a bundle id such as com.example.app"),
});

// The whole service account file may be pasted: only what the sends need is kept.
const fcm = z.strictObject({
  serviceAccount: z
    .object({
      project_id: z.string().regex(/^[a-z0-9-]{1,100}$/, "must be a Firebase project id"),
      client_email: email,
      private_key: privateKeyPem("rsa", "an RSA private key"),
      private_key_id: plainText(200).optional(),
      token_uri: httpsUrl,
    })
    .transform(({ project_id, client_email, private_key, private_key_id, token_uri }) => ({
      project_id,
      client_email,
      private_key,
      token_uri,
      ...(private_key_id !== undefined && { private_key_id }),
    })),
});

const webPush = z
  .strictObject({
    vapidPublicKey: base64url.refine((key) => Buffer.from(key, "base64url").length === 65, "must be an uncompressed P-256 public key"),
    vapidPrivateKey: base64url.refine((key) => Buffer.from(key, "base64url").length === 32, "must be a 32-byte P-256 private key"),
    subject: z.string().regex(/^(mailto:\S+@\S+|https:\/\/\S+)$/, "must be a mailto: or https: URL"),
  })
  .refine(({ vapidPublicKey, vapidPrivateKey }) => publicKeyOf(vapidPrivateKey) === vapidPublicKey, {
    message: "is not the public key of vapidPrivateKey",
    path: ["vapidPublicKey"],
  });

function publicKeyOf(privateKey: string): string | null {
  try {
    const ecdh = createECDH("prime256v1");
    ecdh.setPrivateKey(Buffer.from(privateKey, "base64url"));
    return ecdh.getPublicKey().toString("base64url");
  } catch {
    return null;
  }
}

const credentialSchemas = { APNS: apns, FCM: fcm, WEB_PUSH: webPush } satisfies Record<PushChannelProvider, z.ZodType>;

export type ApnsCredentials = z.output<typeof apns>;
export type FcmCredentials = z.output<typeof fcm>;
export type WebPushCredentials = z.output<typeof webPush>;
export type ProviderCredentials = { APNS: ApnsCredentials; FCM: FcmCredentials; WEB_PUSH: WebPushCredentials };

/** Validates a channel's credentials for its provider; every problem is reported under `credentials.…`. */
export function parseCredentials<P extends PushChannelProvider>(provider: P, credentials: unknown): ProviderCredentials[P] {
  return parseOrThrow(credentialSchemas[provider], credentials, ["credentials"]) as ProviderCredentials[P];
}

/** A channel of a provider that takes no push credentials. */
export function notAPushChannel(provider: ChannelProvider): ValidationError {
  return new ValidationError([
    { field: "id", reason: "invalid", message: `is a ${provider} channel; only APNS, FCM and WEB_PUSH channels take credentials` },
  ]);
}

/** Tells configurations apart (a rotated key changes it) without revealing anything of them. */
export function credentialsFingerprint(canonicalJson: string): string {
  return `sha256:${createHash("sha256").update(canonicalJson).digest("hex").slice(0, 32)}`;
}
