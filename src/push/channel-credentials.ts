import { decryptAtRest, type EncryptionKey, encryptAtRest } from "../auth/encryption-at-rest.ts";
import { assertChannelId } from "../channels/channel-id.ts";
import type { Channel, PrismaClient } from "../db/generated/prisma/client.ts";
import { NotFoundError } from "../errors.ts";
import {
  credentialsFingerprint,
  isPushProvider,
  notAPushChannel,
  type ProviderCredentials,
  type PushChannelProvider,
  parseCredentials,
} from "./credentials.ts";

/**
 * Validates credentials for the channel's provider and stores them encrypted,
 * replacing any before. The key is asked for only once they are valid, so a
 * gateway without one still reports what is wrong with them.
 */
export async function configureChannel(
  prisma: PrismaClient,
  projectId: string,
  id: string,
  credentials: unknown,
  encryptionKey: EncryptionKey,
): Promise<Channel> {
  assertChannelId(id);
  const channel = await prisma.channel.findFirst({ where: { id, projectId }, select: { provider: true } });
  if (!channel) throw new NotFoundError("channel", id);
  if (!isPushProvider(channel.provider)) throw notAPushChannel(channel.provider);
  const canonical = JSON.stringify(parseCredentials(channel.provider, credentials));
  const encrypted = encryptAtRest(await encryptionKey(), id, canonical);
  const [updated] = await prisma.channel.updateManyAndReturn({
    where: { id, projectId },
    data: { credentials: encrypted, credentialsFingerprint: credentialsFingerprint(canonical) },
  });
  if (!updated) throw new NotFoundError("channel", id);
  return updated;
}

/** The fingerprint of each channel's credentials (null: not configured), in the order of `ids`. */
export async function credentialFingerprints(prisma: PrismaClient, projectId: string, ids: readonly string[]): Promise<(string | null)[]> {
  const rows = await prisma.channel.findMany({
    where: { projectId, id: { in: [...ids] } },
    select: { id: true, credentialsFingerprint: true },
  });
  const byId = new Map(rows.map((row) => [row.id, row.credentialsFingerprint]));
  return ids.map((id) => byId.get(id) ?? null);
}

/** A configured push channel with its credentials in clear, for the senders; never leaves the process. */
export type ConfiguredChannel = {
  [P in PushChannelProvider]: { id: string; name: string; provider: P; fingerprint: string; credentials: ProviderCredentials[P] };
}[PushChannelProvider];

/** The project's configured push channels, ordered by name, decrypted. */
export async function configuredPushChannels(
  prisma: PrismaClient,
  projectId: string,
  encryptionKey: EncryptionKey,
): Promise<ConfiguredChannel[]> {
  const rows = await prisma.channel.findMany({
    where: { projectId, provider: { in: ["APNS", "FCM", "WEB_PUSH"] }, credentials: { not: null } },
    select: { id: true, name: true, provider: true, credentials: true, credentialsFingerprint: true },
    orderBy: { name: "asc" },
  });
  if (rows.length === 0) return [];
  const key = await encryptionKey();
  return rows.map(
    (row) =>
      ({
        id: row.id,
        name: row.name,
        provider: row.provider,
        fingerprint: row.credentialsFingerprint!,
        credentials: JSON.parse(decryptAtRest(key, row.id, row.credentials!)),
      }) as ConfiguredChannel,
  );
}
