import type { Logger } from "pino";
import type { Auth } from "../auth/caller.ts";
import type { EncryptionKey } from "../auth/encryption-at-rest.ts";
import type { PasswordHasher } from "../auth/passwords.ts";
import type { SignInThrottle } from "../auth/rate-limit.ts";
import type { ActivityConfig } from "../config.ts";
import type { PrismaClient } from "../db/generated/prisma/client.ts";
import type { EventSignals } from "../events/signals.ts";
import type { PushSenders } from "../push/senders.ts";

/** Built once per request; read-only for resolvers. */
export type Context = Readonly<{
  prisma: PrismaClient;
  requestId: string;
  /**
   * Aborted when the request's client goes away: the reads handed it are
   * cancelled then (PostgreSQL), rather than run on for no one.
   */
  signal: AbortSignal;
  auth: Auth;
  logger: Logger;
  signInThrottle: SignInThrottle;
  passwords: PasswordHasher;
  /** Session rules of trackActivity (SESSION_IDLE_MINUTES, SESSION_RETENTION_DAYS). */
  activity: ActivityConfig;
  /** Wake-ups for subscriptions to the change feed, how often they read the log without one; whether webhooks may be private. */
  changeFeed: { signals: EventSignals; pollMs: number; allowPrivateWebhookUrls: boolean };
  push: PushSenders;
  /** The key webhook secrets (and, through `push`, provider credentials) are encrypted with at rest. */
  encryptionKey: EncryptionKey;
}>;
