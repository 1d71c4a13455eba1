import { z } from "zod";
import { PushEnvironment, PushProvider } from "../../db/generated/prisma/enums.ts";
import type { JsonObject } from "../../json.ts";
import { pushToken } from "../../validation/formats.ts";
import { storableJsonObject } from "../../validation/storable.ts";

/** What a client may say about the device a token belongs to, as UTF-8 JSON. */
const MAX_DEVICE_BYTES = 4096;

/** A device token as stored: its place in the user's list is its index. */
export type PushTokenValue = {
  provider: PushProvider;
  token: string;
  environment: PushEnvironment | null;
  device: JsonObject | null;
};

const pushTokenInput = z.object({
  provider: z.enum(PushProvider),
  token: pushToken,
  environment: z.enum(PushEnvironment).nullish(),
  device: storableJsonObject(MAX_DEVICE_BYTES).nullish(),
});

const tokenKey = ({ provider, token }: Pick<PushTokenValue, "provider" | "token">) => `${provider}:${token}`;

/**
 * One entry per provider and token, where the token first appears; a later
 * duplicate fills in or overrides its environment and device.
 */
export function mergeDuplicateTokens(tokens: readonly z.output<typeof pushTokenInput>[]): PushTokenValue[] {
  const merged = new Map<string, PushTokenValue>();
  for (const { provider, token, environment, device } of tokens) {
    const earlier = merged.get(tokenKey({ provider, token }));
    merged.set(tokenKey({ provider, token }), {
      provider,
      token,
      environment: environment ?? earlier?.environment ?? null,
      device: device ?? earlier?.device ?? null,
    });
  }
  return [...merged.values()];
}

export const pushTokenList = z.array(pushTokenInput).transform(mergeDuplicateTokens);

/**
 * The lists a batch writes, with each token left only to the last user in
 * the batch who claims it: a token belongs to one user of a project.
 */
export function assignTokenOwners(lists: ReadonlyMap<string, PushTokenValue[]>): Map<string, PushTokenValue[]> {
  const owners = new Map<string, string>();
  for (const [userId, tokens] of lists) for (const token of tokens) owners.set(tokenKey(token), userId);
  return new Map([...lists].map(([userId, tokens]) => [userId, tokens.filter((t) => owners.get(tokenKey(t)) === userId)]));
}
