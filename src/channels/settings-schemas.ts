import { z } from "zod";
import type { ChannelProvider } from "../db/generated/prisma/enums.ts";
import { email, phoneNumber, pushToken, slackChannelId, slackUserId, webPushSubscription } from "../validation/formats.ts";
import { parseOrThrow } from "../validation/problems.ts";

const MAX_DEVICE_TOKENS = 100;
const MAX_WEB_PUSH_SUBSCRIPTIONS = 100;

const deviceTokens = z.strictObject({
  device_tokens: z
    .array(pushToken)
    .min(1, "must hold at least one token")
    // Each token is checked at its own index first; the limit counts distinct tokens.
    .transform((tokens) => [...new Set(tokens)])
    .pipe(z.array(z.string()).max(MAX_DEVICE_TOKENS, `must hold at most ${MAX_DEVICE_TOKENS} distinct tokens`)),
});

const slack = z
  .strictObject({ slack_channel_id: slackChannelId.optional(), slack_user_id: slackUserId.optional() })
  .refine((settings) => settings.slack_channel_id !== undefined || settings.slack_user_id !== undefined, {
    message: "must name slack_channel_id, slack_user_id or both",
    params: { reason: "required" },
  });

/** What each provider's settings hold: one schema per provider, unknown keys refused at every depth. */
export const settingsSchemas = {
  APNS: deviceTokens,
  FCM: deviceTokens,
  SLACK: slack,
  WEB_PUSH: z.strictObject({
    subscriptions: z
      .array(webPushSubscription)
      .min(1, "must hold at least one subscription")
      .max(MAX_WEB_PUSH_SUBSCRIPTIONS, `must hold at most ${MAX_WEB_PUSH_SUBSCRIPTIONS} subscriptions`),
  }),
  EMAIL: z.strictObject({ email }),
  SMS: z.strictObject({ phone_number: phoneNumber }),
} satisfies Record<ChannelProvider, z.ZodType>;

export type ProviderSettings = z.output<(typeof settingsSchemas)[ChannelProvider]>;

/** Validates and normalises settings for a channel of `provider`; every problem is reported under `settings.…`. */
export function parseProviderSettings(provider: ChannelProvider, settings: unknown): ProviderSettings {
  return parseOrThrow(settingsSchemas[provider], settings, ["settings"]);
}
