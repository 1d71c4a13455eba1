import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { setChannelSettings, unsetChannelSettings } from "../src/channels/channel-settings.ts";
import { createChannel, deleteChannel, renameChannel } from "../src/channels/channels.ts";
import { takeDeviceTokens } from "../src/channels/device-token-move.ts";
import { channelSettingsOfUsers } from "../src/channels/settings-of-users.ts";
import type { Database } from "../src/db/client.ts";
import type { ChannelProvider, PrismaClient } from "../src/db/generated/prisma/client.ts";
import { NotFoundError, ValidationError } from "../src/errors.ts";
import { keyCaller } from "./support/callers.ts";
import { openTestDatabase } from "./support/test-database.ts";

// Unit tests of the channel logic: plain functions over a Prisma client, no GraphQL.

let db: Database;
let prisma: PrismaClient;
let projectId: string;
let otherProjectId: string;
beforeAll(async () => {
  db = await openTestDatabase();
  prisma = db.prisma;
  projectId = (await prisma.project.create({ data: { name: "logic" } })).id;
  otherProjectId = (await prisma.project.create({ data: { name: "logic-other" } })).id;
});
afterAll(() => db.close());

let channelCount = 0;
const newChannel = (provider: ChannelProvider, project = projectId) =>
  createChannel(prisma, project, { name: `${provider}-${++channelCount}`, provider });

async function newUsers(...ids: string[]) {
  await prisma.user.createMany({ data: ids.map((id) => ({ projectId, id })) });
}

const tokensOf = async (userId: string, channelId: string) =>
  (await prisma.channelSettings.findUnique({ where: { projectId_userId_channelId: { projectId, userId, channelId } } }))?.settings ?? null;

describe("channels", () => {
  test("createChannel trims the name; a taken name is a conflict within the project only", async () => {
    const channel = await createChannel(prisma, projectId, { name: " unique ", provider: "EMAIL" });
    expect(channel).toMatchObject({ projectId, name: "unique", provider: "EMAIL" });
    const conflict = createChannel(prisma, projectId, { name: "unique", provider: "SMS" });
    await expect(conflict).rejects.toEqual(
      new ValidationError([{ field: "name", message: "is the name of another channel", reason: "conflict" }]),
    );
    await expect(createChannel(prisma, otherProjectId, { name: "unique", provider: "SMS" })).resolves.toMatchObject({
      projectId: otherProjectId,
    });
  });

  test("renameChannel: not found before validation, conflict on a taken name", async () => {
    const channel = await newChannel("SLACK");
    const other = await newChannel("SLACK");
    await expect(renameChannel(prisma, projectId, channel.id, "renamed")).resolves.toMatchObject({
      id: channel.id,
      name: "renamed",
    });
    await expect(renameChannel(prisma, projectId, channel.id, other.name)).rejects.toMatchObject({
      fields: [{ field: "name", reason: "conflict" }],
    });
    await expect(renameChannel(prisma, otherProjectId, channel.id, "x")).rejects.toEqual(new NotFoundError("channel", channel.id));
    await expect(renameChannel(prisma, projectId, "nope", "")).rejects.toEqual(new NotFoundError("channel", "nope"));
  });

  test("deleteChannel deletes the channel and its settings, in its own project only", async () => {
    const channel = await newChannel("EMAIL");
    await newUsers("logic-deleted");
    await setChannelSettings(prisma, keyCaller(projectId), "logic-deleted", channel.id, { email: "d@example.com" });
    await expect(deleteChannel(prisma, otherProjectId, channel.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(deleteChannel(prisma, projectId, channel.id)).resolves.toEqual({ id: channel.id });
    expect(await prisma.channelSettings.count({ where: { channelId: channel.id } })).toBe(0);
    await expect(deleteChannel(prisma, projectId, channel.id)).rejects.toEqual(new NotFoundError("channel", channel.id));
  });
});

describe("setChannelSettings and unsetChannelSettings", () => {
  test("created tells a new row from a replaced one; the channel comes along", async () => {
    // Settings carry their channel without its credentials, which only the push domain reads.
    const { credentials: _credentials, credentialsFingerprint: _fingerprint, ...channel } = await newChannel("SMS");
    await newUsers("logic-set");
    const first = await setChannelSettings(prisma, keyCaller(projectId), "logic-set", channel.id, {
      phone_number: "+14155552671",
    });
    expect(first).toMatchObject({
      created: true,
      channelSettings: { settings: { phone_number: "+14155552671" }, channel },
    });
    const second = await setChannelSettings(prisma, keyCaller(projectId), "logic-set", channel.id, {
      phone_number: "+442079460958",
    });
    expect(second).toMatchObject({ created: false, channelSettings: { settings: { phone_number: "+442079460958" } } });
    expect(second.channelSettings.createdAt).toEqual(first.channelSettings.createdAt);
  });

  test("the channel is checked first, then the settings, then the user", async () => {
    const channel = await newChannel("EMAIL");
    await expect(setChannelSettings(prisma, keyCaller(projectId), "nobody", "bad-id", { bad: 1 })).rejects.toEqual(
      new NotFoundError("channel", "bad-id"),
    );
    await expect(setChannelSettings(prisma, keyCaller(projectId), "nobody", channel.id, { bad: 1 })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(setChannelSettings(prisma, keyCaller(projectId), "nobody", channel.id, { email: "a@example.com" })).rejects.toEqual(
      new NotFoundError("user", "nobody"),
    );
  });

  test("concurrent sets, unsets and a channel deletion end in success or NotFoundError only", async () => {
    const channel = await newChannel("EMAIL");
    await newUsers("racing-1", "racing-2");
    const writes = Array.from({ length: 24 }, (_, i) => {
      const userId = `racing-${(i % 2) + 1}`;
      if (i === 17) return deleteChannel(prisma, projectId, channel.id);
      return i % 3 === 0
        ? unsetChannelSettings(prisma, keyCaller(projectId), userId, channel.id)
        : setChannelSettings(prisma, keyCaller(projectId), userId, channel.id, { email: `${i}@example.com` });
    });
    const failures = (await Promise.allSettled(writes)).flatMap((result) => (result.status === "rejected" ? [result.reason] : []));
    for (const failure of failures) expect(failure).toEqual(new NotFoundError("channel", channel.id));
    expect(await prisma.channelSettings.count({ where: { channelId: channel.id } })).toBe(0);
  });

  test("unsetChannelSettings deletes one row; unknown users and channels are not found", async () => {
    const channel = await newChannel("EMAIL");
    const kept = await newChannel("EMAIL");
    await newUsers("logic-unset");
    for (const { id } of [channel, kept]) {
      await setChannelSettings(prisma, keyCaller(projectId), "logic-unset", id, { email: "u@example.com" });
    }
    await expect(unsetChannelSettings(prisma, keyCaller(projectId), "logic-unset", channel.id)).resolves.toEqual({
      channelId: channel.id,
    });
    expect(await tokensOf("logic-unset", channel.id)).toBeNull();
    expect(await tokensOf("logic-unset", kept.id)).toEqual({ email: "u@example.com" });
    await expect(unsetChannelSettings(prisma, keyCaller(projectId), "nobody", channel.id)).rejects.toEqual(
      new NotFoundError("user", "nobody"),
    );
    await expect(unsetChannelSettings(prisma, keyCaller(otherProjectId), "logic-unset", kept.id)).rejects.toEqual(
      new NotFoundError("channel", kept.id),
    );
  });
});

describe("channelSettingsOfUsers", () => {
  test("answers for many users at once, each user's by channel name, in one project", async () => {
    const [b, a] = [await newChannel("EMAIL"), await newChannel("SMS")];
    await prisma.channel.update({ where: { id: b.id }, data: { name: "of-users-b" } });
    await prisma.channel.update({ where: { id: a.id }, data: { name: "of-users-a" } });
    await newUsers("of-users-1", "of-users-2", "of-users-3");
    for (const userId of ["of-users-1", "of-users-2"]) {
      await setChannelSettings(prisma, keyCaller(projectId), userId, b.id, { email: `${userId}@example.com` });
      await setChannelSettings(prisma, keyCaller(projectId), userId, a.id, { phone_number: "+14155552671" });
    }
    const rows = await channelSettingsOfUsers(prisma, projectId, ["of-users-1", "of-users-2", "of-users-3", "nobody"]);
    const byUser = (userId: string) => rows.filter((row) => row.userId === userId).map((row) => row.channel.name);
    expect(byUser("of-users-1")).toEqual(["of-users-a", "of-users-b"]);
    expect(byUser("of-users-2")).toEqual(["of-users-a", "of-users-b"]);
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatchObject({
      projectId,
      settings: { phone_number: "+14155552671" },
      channel: { id: a.id, projectId, name: "of-users-a", provider: "SMS", createdAt: a.createdAt },
    });
    expect(rows[0]!.createdAt).toBeInstanceOf(Date);
    expect(await channelSettingsOfUsers(prisma, otherProjectId, ["of-users-1"])).toEqual([]);
  });
});

describe("takeDeviceTokens", () => {
  test("takes the claimed tokens from other users, keeps the order of the rest, deletes emptied settings", async () => {
    const channel = await newChannel("APNS");
    const elsewhere = await newChannel("APNS");
    await newUsers("take-claimant", "take-keeps", "take-emptied");
    const write = (userId: string, channelId: string, device_tokens: string[]) =>
      prisma.channelSettings.create({ data: { projectId, userId, channelId, settings: { device_tokens } } });
    await write("take-claimant", channel.id, ["x", "own"]);
    await write("take-keeps", channel.id, ["k1", "x", "k2", "y", "k3"]);
    await write("take-emptied", channel.id, ["y", "x"]);
    await write("take-keeps", elsewhere.id, ["x"]);

    await prisma.$transaction((tx) =>
      takeDeviceTokens(tx, { projectId, channelId: channel.id, userId: "take-claimant", tokens: ["x", "y", "new"] }),
    );

    expect(await tokensOf("take-keeps", channel.id)).toEqual({ device_tokens: ["k1", "k2", "k3"] });
    expect(await tokensOf("take-emptied", channel.id)).toBeNull();
    // The claimant's own settings are for the caller to replace; another channel is not touched.
    expect(await tokensOf("take-claimant", channel.id)).toEqual({ device_tokens: ["x", "own"] });
    expect(await tokensOf("take-keeps", elsewhere.id)).toEqual({ device_tokens: ["x"] });
  });

  test("concurrent claims of each other's devices all succeed and leave every token with one user", async () => {
    const channel = await newChannel("FCM");
    const users = Array.from({ length: 6 }, (_, i) => `swap-${i}`);
    await newUsers(...users);
    for (const [i, userId] of users.entries()) {
      await setChannelSettings(prisma, keyCaller(projectId), userId, channel.id, { device_tokens: [`device-${i}`, "shared"] });
    }
    // Each user claims the next user's device and the shared one, all at once, three rounds over.
    const claims = [0, 1, 2].flatMap((round) =>
      users.map((userId, i) =>
        setChannelSettings(prisma, keyCaller(projectId), userId, channel.id, {
          device_tokens: [`device-${(i + round + 1) % users.length}`, "shared"],
        }),
      ),
    );
    const results = await Promise.allSettled(claims);
    expect(results.filter((result) => result.status === "rejected")).toEqual([]);

    const rows = await prisma.channelSettings.findMany({ where: { channelId: channel.id } });
    const holders = new Map<string, string[]>();
    for (const row of rows) {
      for (const token of (row.settings as { device_tokens: string[] }).device_tokens) {
        holders.set(token, [...(holders.get(token) ?? []), row.userId]);
      }
    }
    for (const [token, owners] of holders) expect(owners, token).toHaveLength(1);
    expect(holders.has("shared")).toBe(true);
  });
});
