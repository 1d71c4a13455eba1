import type { EmailSuppressionReason, UserStatus } from "../db/generated/prisma/enums.ts";
import type { ChannelType } from "./channel-types.ts";
import { type ConditionContext, conditionHolds } from "./conditions.ts";
import type { Destination } from "./destinations.ts";
import type { PreferenceDocument, PreferenceRule } from "./preference-document.ts";
import { rememberedQuietHoursEnd } from "./quiet-hours.ts";

export const DECISION_REASONS = [
  "ALLOWED",
  "CRITICAL_OVERRIDE",
  "OPTED_OUT_CHANNEL_TYPE",
  "OPTED_OUT_CHANNEL",
  "OPTED_OUT_CATEGORY",
  "OPTED_OUT_WORKFLOW",
  "CONDITION_NOT_MET",
  "COMMERCIAL_UNSUBSCRIBED",
  "UNSUBSCRIBED",
  "EMAIL_SUPPRESSED",
  "NO_DESTINATION",
  "QUIET_HOURS",
  "USER_INACTIVE",
] as const;
export type DecisionReason = (typeof DECISION_REASONS)[number];

export type Decision = Destination & { allowed: boolean; reason: DecisionReason; allowedAt: Date | null };

/** What is sent: the workflow and the categories it is sent under (its own and the one the call names). */
export type Send = {
  workflow: string;
  categories: readonly string[];
  critical: boolean;
  commercial: boolean;
  data: ConditionContext["data"];
  at: Date;
};

/** What the decision reads of a user besides its destinations. */
export type DecidingUser = {
  status: UserStatus;
  timezone: string | null;
  unsubscribedEmail: boolean;
  unsubscribedTexting: boolean;
  emailSuppressionReason: EmailSuppressionReason | null;
};

/** A decision's reason, and for QUIET_HOURS when the window ends. */
type Verdict = { reason: DecisionReason; allowedAt: Date | null };
// One object per reason without a time: a page decides thousands of destinations.
const WITHOUT_TIME = Object.fromEntries(DECISION_REASONS.map((reason) => [reason, Object.freeze({ reason, allowedAt: null })])) as Record<
  DecisionReason,
  Verdict
>;
const verdict = (reason: DecisionReason, allowedAt: Date | null = null): Verdict =>
  allowedAt ? { reason, allowedAt } : WITHOUT_TIME[reason];

/** Whether the rule has a say for this channel type: an enabled flag or a setting for the type. */
const ruleDecides = (rule: PreferenceRule | undefined, channelType: ChannelType): rule is PreferenceRule =>
  rule !== undefined && (rule.enabled !== null || rule.channelTypes[channelType] !== undefined || rule.conditions.length > 0);

function ruleRefusal(rule: PreferenceRule, channelType: ChannelType, optedOut: DecisionReason, context: ConditionContext): Verdict | null {
  // Within a rule any false opts out, and every condition must hold.
  if (rule.enabled === false || rule.channelTypes[channelType] === false) return verdict(optedOut);
  if (!rule.conditions.every((condition) => conditionHolds(condition, context))) return verdict("CONDITION_NOT_MET");
  return null;
}

/** What the user's preferences (and its unsubscribe flags) refuse; a critical workflow overrides all of it. */
function preferenceRefusal(
  user: DecidingUser,
  preferences: PreferenceDocument,
  send: Send,
  destination: Destination,
  context: ConditionContext,
): Verdict | null {
  const { channelType, channel } = destination;
  if ((channelType === "EMAIL" && user.unsubscribedEmail) || (channelType === "SMS" && user.unsubscribedTexting))
    return verdict("UNSUBSCRIBED");
  if (send.commercial && !preferences.commercialSubscribed) return verdict("COMMERCIAL_UNSUBSCRIBED");
  // A channel's own preference beats its channel type's.
  const channelPreference = channel ? preferences.channels[channel.id] : undefined;
  if (channelPreference === false) return verdict("OPTED_OUT_CHANNEL");
  if (channelPreference === undefined && preferences.channelTypes[channelType] === false) return verdict("OPTED_OUT_CHANNEL_TYPE");
  // A workflow rule with a say beats the rules of its categories.
  const workflowRule = preferences.workflows[send.workflow];
  if (ruleDecides(workflowRule, channelType)) {
    const refusal = ruleRefusal(workflowRule, channelType, "OPTED_OUT_WORKFLOW", context);
    if (refusal) return refusal;
  } else {
    for (const category of send.categories) {
      const rule = preferences.categories[category];
      const refusal = rule && ruleRefusal(rule, channelType, "OPTED_OUT_CATEGORY", context);
      if (refusal) return refusal;
    }
  }
  const quietUntil = preferences.quietHours && rememberedQuietHoursEnd(preferences.quietHours, channelType, send.at, user.timezone);
  return quietUntil ? verdict("QUIET_HOURS", quietUntil) : null;
}

/**
 * The decision for each destination. Inactive users, missing destinations and
 * suppressed email addresses refuse whatever the workflow; a critical workflow
 * overrides everything else (CRITICAL_OVERRIDE where it did).
 */
export function decide(
  user: DecidingUser,
  destinations: readonly Destination[],
  preferences: PreferenceDocument,
  send: Send,
  context: ConditionContext,
): Decision[] {
  return destinations.map((destination) => {
    const { reason, allowedAt } = verdictFor(user, destination, preferences, send, context);
    // Spelled out rather than spread: one shape for every decision, thousands a page.
    const { channelType, channel, provider } = destination;
    const allowed = reason === "ALLOWED" || reason === "CRITICAL_OVERRIDE";
    return { channelType, channel, provider, destination: destination.destination, allowed, reason, allowedAt };
  });
}

function verdictFor(
  user: DecidingUser,
  destination: Destination,
  preferences: PreferenceDocument,
  send: Send,
  context: ConditionContext,
): Verdict {
  if (user.status !== "ACTIVE") return verdict("USER_INACTIVE");
  if (destination.destination === null && destination.channelType !== "IN_APP") return verdict("NO_DESTINATION");
  if (destination.channelType === "EMAIL" && user.emailSuppressionReason !== null) return verdict("EMAIL_SUPPRESSED");
  const refusal = preferenceRefusal(user, preferences, send, destination, context);
  if (!refusal) return verdict("ALLOWED");
  return send.critical ? verdict("CRITICAL_OVERRIDE") : refusal;
}
