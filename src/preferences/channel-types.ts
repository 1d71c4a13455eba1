import type { ChannelProvider } from "../db/generated/prisma/enums.ts";

export const CHANNEL_TYPES = ["EMAIL", "SMS", "PUSH", "CHAT", "IN_APP"] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

const TYPE_OF_PROVIDER: Record<ChannelProvider, ChannelType> = {
  EMAIL: "EMAIL",
  SMS: "SMS",
  APNS: "PUSH",
  FCM: "PUSH",
  WEB_PUSH: "PUSH",
  SLACK: "CHAT",
};

/** The channel type a provider delivers on. */
export const channelTypeOf = (provider: ChannelProvider): ChannelType => TYPE_OF_PROVIDER[provider];
