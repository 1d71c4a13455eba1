import { z } from "zod";
import { slackChannelId, slackUserId } from "../../validation/formats.ts";

// Slack channel names are lowercase words of up to 80 characters; usernames much the same.
const CHANNEL_NAME = /^#?[a-z0-9][a-z0-9_-]{0,79}$/;
const USERNAME = /^@[a-z0-9][a-z0-9._-]{0,79}$/i;

const isSlackId = (value: string) => slackChannelId.safeParse(value).success || slackUserId.safeParse(value).success;

/** Where a user's Slack messages go: "name", "#name", a channel id "C…", a user id "U…" or "@username". */
export const slackDestination = z
  .string()
  .refine(
    (value) => CHANNEL_NAME.test(value) || USERNAME.test(value) || isSlackId(value),
    "must be a channel name, #channel, channel id (C…), user id (U…) or @username",
  );
