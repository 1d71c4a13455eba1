import type { ChannelProvider, PushProvider } from "../db/generated/prisma/enums.ts";
import type { JsonObject } from "../json.ts";
import { CHANNEL_TYPES, type ChannelType, channelTypeOf } from "./channel-types.ts";

export type ChannelRef = { id: string; name: string; provider: ChannelProvider };

/** What a user can be reached at: its contact fields, push tokens and each configured channel's settings. */
export type ReachableUser = {
  email: string | null;
  phoneNumber: string | null;
  slackDestination: string | null;
  webPushSubscriptions: unknown;
  pushTokens: readonly { provider: PushProvider; token: string }[];
  channelSettings: readonly { channel: ChannelRef; settings: unknown }[];
};

export type Destination = {
  channelType: ChannelType;
  channel: ChannelRef | null;
  provider: ChannelProvider | null;
  /** null: nowhere to send on this channel type (IN_APP needs no address). */
  destination: string | null;
};

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item) => typeof item === "string") : []);
const endpoints = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.map((subscription) => (subscription as JsonObject | null)?.endpoint).filter((endpoint) => typeof endpoint === "string")
    : [];

/** The addresses in one channel's settings, by the settings schema of its provider. */
function settingsAddresses(provider: ChannelProvider, settings: JsonObject): string[] {
  switch (provider) {
    case "APNS":
    case "FCM":
      return strings(settings.device_tokens);
    case "WEB_PUSH":
      return endpoints(settings.subscriptions);
    case "SLACK":
      return strings([settings.slack_channel_id ?? settings.slack_user_id]);
    case "EMAIL":
      return strings([settings.email]);
    case "SMS":
      return strings([settings.phone_number]);
  }
}

/**
 * One destination per address, grouped by channel type in the enum's order;
 * a channel type without any address has one destination with none.
 */
export function destinationsOf(user: ReachableUser): Destination[] {
  const found: Destination[] = [];
  const own = (channelType: ChannelType, provider: ChannelProvider, destination: string | null) => {
    if (destination) found.push({ channelType, channel: null, provider, destination });
  };
  own("EMAIL", "EMAIL", user.email);
  own("SMS", "SMS", user.phoneNumber);
  for (const token of user.pushTokens) own("PUSH", token.provider, token.token);
  for (const endpoint of endpoints(user.webPushSubscriptions)) own("PUSH", "WEB_PUSH", endpoint);
  own("CHAT", "SLACK", user.slackDestination);
  for (const { channel, settings } of user.channelSettings) {
    for (const destination of settingsAddresses(channel.provider, settings as JsonObject)) {
      found.push({ channelType: channelTypeOf(channel.provider), channel, provider: channel.provider, destination });
    }
  }
  // In loops rather than a filter per type: a page finds the destinations of thousands of users.
  const grouped: Destination[] = [];
  for (const channelType of CHANNEL_TYPES) {
    const before = grouped.length;
    for (const destination of found) if (destination.channelType === channelType) grouped.push(destination);
    if (grouped.length === before) grouped.push({ channelType, channel: null, provider: null, destination: null });
  }
  return grouped;
}
