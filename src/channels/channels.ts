import { z } from "zod";
import { type Channel, ChannelProvider, Prisma, type PrismaClient } from "../db/generated/prisma/client.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { forgetChannelPreferences } from "../preferences/preference-store.ts";
import { plainText } from "../validation/formats.ts";
import { parseOrThrow } from "../validation/problems.ts";
import { assertChannelId } from "./channel-id.ts";

const channelName = z.string().trim().pipe(plainText(200).min(1, "must not be empty"));
// Objects, so that problems are reported at `name`.
const newChannel = z.strictObject({ name: channelName, provider: z.enum(ChannelProvider) });
const channelRename = z.strictObject({ name: channelName });

export type NewChannel = z.input<typeof newChannel>;

/** A channel as settings carry it: everything but its credentials, which only the push domain reads. */
export type ChannelSummary = Omit<Channel, "credentials" | "credentialsFingerprint">;

const nameTaken = () => new ValidationError([{ field: "name", message: "is the name of another channel", reason: "conflict" }]);

/** Creates a channel; its name must be unique in the project. */
export async function createChannel(prisma: PrismaClient, projectId: string, input: NewChannel): Promise<Channel> {
  const { name, provider } = parseOrThrow(newChannel, input);
  // ON CONFLICT DO NOTHING: a taken name inserts no row, without an error to catch.
  const [channel] = await prisma.channel.createManyAndReturn({
    data: [{ projectId, name, provider }],
    skipDuplicates: true,
  });
  if (!channel) throw nameTaken();
  return channel;
}

/** Renames a channel; the new name must be free in the project. */
export async function renameChannel(prisma: PrismaClient, projectId: string, id: string, newName: string): Promise<Channel> {
  assertChannelId(id);
  const { name } = parseOrThrow(channelRename, { name: newName });
  try {
    const [channel] = await prisma.channel.updateManyAndReturn({ where: { id, projectId }, data: { name } });
    if (!channel) throw new NotFoundError("channel", id);
    return channel;
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") throw nameTaken();
    throw error;
  }
}

/**
 * Deletes a channel; the database deletes every user's settings for it too (ON
 * DELETE CASCADE), and the same transaction removes the preferences for it
 * from every preference set, so none lingers.
 */
export async function deleteChannel(prisma: PrismaClient, projectId: string, id: string): Promise<{ id: string }> {
  assertChannelId(id);
  const [{ count }] = await prisma.$transaction([
    prisma.channel.deleteMany({ where: { id, projectId } }),
    ...forgetChannelPreferences(prisma, projectId, id),
  ]);
  if (count === 0) throw new NotFoundError("channel", id);
  return { id };
}
