import type { Logger } from "pino";
import type { Auth } from "../auth/caller.ts";
import type { PasswordHasher } from "../auth/passwords.ts";
import type { SignInThrottle } from "../auth/rate-limit.ts";
import type { PrismaClient } from "../db/generated/prisma/client.ts";
import type { PushSenders } from "../push/senders.ts";

/** Built once per request; read-only for resolvers. */
export type Context = Readonly<{
  prisma: PrismaClient;
  requestId: string;
  auth: Auth;
  logger: Logger;
  signInThrottle: SignInThrottle;
  passwords: PasswordHasher;
  push: PushSenders;
}>;
