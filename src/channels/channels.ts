import { z } from "zod";
import { type Channel, type ChannelProvider, Prisma, type PrismaClient } from "../db/generated/prisma/client.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { plainText } from "../validation/formats.ts";
import { parseOrThrow } from "../validation/problems.ts";
import { assertChannelId } from "./channel-id.ts";

// An object, so that problems are reported at `name`.
const channelName = z.object({ name: z.string().trim().pipe(plainText(200).min(1, "must not be empty")) });

export type NewChannel = { name: string; provider: ChannelProvider };

const nameTaken = () =>
  new ValidationError([{ field: "name", message: "is the name of another channel", reason: "conflict" }]);

/** Creates a channel; its name must be unique in the project. */
export async function createChannel(prisma: PrismaClient, projectId: string, input: NewChannel): Promise<Channel> {
  const { name } = parseOrThrow(channelName, { name: input.name });
  // ON CONFLICT DO NOTHING: a taken name inserts no row, without an error to catch.
  const [channel] = await prisma.channel.createManyAndReturn({
    data: [{ projectId, name, provider: input.provider }],
    skipDuplicates: true,
  });
  if (!channel) throw nameTaken();
  return channel;
}

/** Renames a channel; the new name must be free in the project. */
export async function renameChannel(
  prisma: PrismaClient,
  projectId: string,
  id: string,
  newName: string,
): Promise<Channel> {
  assertChannelId(id);
  const { name } = parseOrThrow(channelName, { name: newName });
  try {
    const [channel] = await prisma.channel.updateManyAndReturn({ where: { id, projectId }, data: { name } });
    if (!channel) throw new NotFoundError("channel", id);
    return channel;
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") throw nameTaken();
    throw error;
  }
}

/** Deletes a channel; the database deletes every user's settings for it too (ON DELETE CASCADE). */
export async function deleteChannel(prisma: PrismaClient, projectId: string, id: string): Promise<{ id: string }> {
  assertChannelId(id);
  const { count } = await prisma.channel.deleteMany({ where: { id, projectId } });
  if (count === 0) throw new NotFoundError("channel", id);
  return { id };
}
