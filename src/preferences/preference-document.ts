import type { FieldProblem } from "../errors.ts";
import { CHANNEL_TYPES, type ChannelType } from "./channel-types.ts";

// A preference set as it is stored (a JSON document) and read. Lists keyed by
// channel type, channel id or rule key are objects here, in the order given.

export const CONDITION_OPERATORS = [
  "EQUAL_TO",
  "NOT_EQUAL_TO",
  "GREATER_THAN",
  "LESS_THAN",
  "GREATER_THAN_OR_EQUAL_TO",
  "LESS_THAN_OR_EQUAL_TO",
  "CONTAINS",
  "NOT_CONTAINS",
  "EMPTY",
  "NOT_EMPTY",
] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];
export const WEEKDAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export type ChannelTypeSettings = Partial<Record<ChannelType, boolean>>;
export type Condition = { variable: string; operator: ConditionOperator; argument: string | null };
export type PreferenceRule = { enabled: boolean | null; channelTypes: ChannelTypeSettings; conditions: Condition[] };
export type QuietHours = { start: string; end: string; weekdays: Weekday[] | null; channelTypes: ChannelType[] };
export type PreferenceDocument = {
  channelTypes: ChannelTypeSettings;
  /** By channel id. */
  channels: Record<string, boolean>;
  categories: Record<string, PreferenceRule>;
  workflows: Record<string, PreferenceRule>;
  commercialSubscribed: boolean;
  quietHours: QuietHours | null;
};

/** What a set holds before anything is set: every channel allowed, no commercial consent. */
export function emptyDocument(): PreferenceDocument {
  return { channelTypes: {}, channels: {}, categories: {}, workflows: {}, commercialSubscribed: false, quietHours: null };
}

/** A stored document, with what older or partial documents leave out filled in. */
export function documentFrom(json: unknown): PreferenceDocument {
  return { ...emptyDocument(), ...(json as Partial<PreferenceDocument>) };
}

export type ChannelTypeSettingInput = { channelType: ChannelType; enabled?: boolean | null };
export type ChannelPreferenceInput = { channelId: string; enabled?: boolean | null };
export type ConditionInput = { variable: string; operator: ConditionOperator; argument?: string | null };
export type PreferenceRuleInput = {
  key: string;
  enabled?: boolean | null;
  channelTypes?: readonly ChannelTypeSettingInput[] | null;
  conditions?: readonly ConditionInput[] | null;
};
export type QuietHoursInput = {
  start: string;
  end: string;
  weekdays?: readonly Weekday[] | null;
  channelTypes?: readonly ChannelType[] | null;
};
export type PreferenceSetInput = {
  channelTypes?: readonly ChannelTypeSettingInput[] | null;
  channels?: readonly ChannelPreferenceInput[] | null;
  categories?: readonly PreferenceRuleInput[] | null;
  workflows?: readonly PreferenceRuleInput[] | null;
  commercialSubscribed?: boolean | null;
  quietHours?: QuietHoursInput | null;
};

const MAX_RULES = 200;
const MAX_CONDITIONS = 20;
const RULE_KEY = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const VARIABLE = /^(recipient|data)(\.[A-Za-z0-9_-]+)+$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const WITHOUT_ARGUMENT: readonly ConditionOperator[] = ["EMPTY", "NOT_EMPTY"];

/**
 * Every problem of the input at once, under dotted paths
 * (`categories.2.conditions.0.operator`). `knownChannelIds` are the project's channels.
 */
export function preferenceInputProblems(input: PreferenceSetInput, knownChannelIds: ReadonlySet<string>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const problem = (field: string, message: string, reason: FieldProblem["reason"] = "invalid") => problems.push({ field, message, reason });
  const duplicates = <Item>(list: readonly Item[], keyOf: (item: Item) => string, path: string, keyField: string) => {
    const seen = new Set<string>();
    list.forEach((item, index) => {
      const key = keyOf(item);
      if (seen.has(key)) problem(`${path}.${index}.${keyField}`, `${JSON.stringify(key)} is given twice`, "conflict");
      seen.add(key);
    });
  };

  if (input.channelTypes) duplicates(input.channelTypes, (setting) => setting.channelType, "channelTypes", "channelType");
  if (input.channels) {
    duplicates(input.channels, (channel) => channel.channelId, "channels", "channelId");
    input.channels.forEach((channel, index) => {
      if (!knownChannelIds.has(channel.channelId)) problem(`channels.${index}.channelId`, "no channel with this id", "unknown");
    });
  }
  for (const list of ["categories", "workflows"] as const) {
    const rules = input[list];
    if (!rules) continue;
    if (rules.length > MAX_RULES) problem(list, `at most ${MAX_RULES} rules`, "too_many");
    duplicates(rules, (rule) => rule.key, list, "key");
    rules.forEach((rule, index) => {
      const path = `${list}.${index}`;
      if (!RULE_KEY.test(rule.key)) {
        problem(`${path}.key`, "1 to 128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit");
      }
      if (rule.channelTypes) duplicates(rule.channelTypes, (setting) => setting.channelType, `${path}.channelTypes`, "channelType");
      if (rule.conditions && rule.conditions.length > MAX_CONDITIONS) {
        problem(`${path}.conditions`, `at most ${MAX_CONDITIONS} conditions`, "too_many");
      }
      rule.conditions?.forEach((condition, conditionIndex) => {
        const at = `${path}.conditions.${conditionIndex}`;
        if (!VARIABLE.test(condition.variable)) {
          problem(`${at}.variable`, "a path under recipient. or data., such as recipient.locale or data.amount");
        }
        const takesArgument = !WITHOUT_ARGUMENT.includes(condition.operator);
        if (takesArgument && condition.argument == null) problem(`${at}.operator`, `${condition.operator} needs an argument`, "required");
        if (!takesArgument && condition.argument != null) problem(`${at}.operator`, `${condition.operator} takes no argument`);
      });
    });
  }
  const quiet = input.quietHours;
  if (quiet) {
    if (!TIME.test(quiet.start)) problem("quietHours.start", "a time of day as HH:MM, 00:00 to 23:59");
    if (!TIME.test(quiet.end)) problem("quietHours.end", "a time of day as HH:MM, 00:00 to 23:59");
    if (quiet.start === quiet.end) problem("quietHours.end", "differs from start");
  }
  return problems;
}

function mergeChannelTypes(current: ChannelTypeSettings, given: readonly ChannelTypeSettingInput[]): ChannelTypeSettings {
  const merged = { ...current };
  for (const { channelType, enabled } of given) {
    if (enabled == null) delete merged[channelType];
    else merged[channelType] = enabled;
  }
  return merged;
}

function mergeRules(current: Record<string, PreferenceRule>, given: readonly PreferenceRuleInput[]): Record<string, PreferenceRule> {
  const merged = { ...current };
  for (const rule of given) {
    // An explicit `enabled: null` removes the rule; left out, the rule keeps what it had.
    if (rule.enabled === null) {
      delete merged[rule.key];
      continue;
    }
    const before = merged[rule.key] ?? { enabled: null, channelTypes: {}, conditions: [] };
    merged[rule.key] = {
      enabled: rule.enabled ?? before.enabled,
      channelTypes: rule.channelTypes ? mergeChannelTypes(before.channelTypes, rule.channelTypes) : before.channelTypes,
      conditions: rule.conditions
        ? rule.conditions.map(({ variable, operator, argument }) => ({ variable, operator, argument: argument ?? null }))
        : before.conditions,
    };
  }
  return merged;
}

/**
 * The document after the input: a list given merges into the one stored by
 * key, a list left out stays; within a rule, its channel types merge the same
 * way and its conditions, when given, replace the old ones.
 */
export function mergePreferences(current: PreferenceDocument, input: PreferenceSetInput): PreferenceDocument {
  const channels = { ...current.channels };
  for (const { channelId, enabled } of input.channels ?? []) {
    if (enabled == null) delete channels[channelId];
    else channels[channelId] = enabled;
  }
  const quiet = input.quietHours;
  return {
    channelTypes: input.channelTypes ? mergeChannelTypes(current.channelTypes, input.channelTypes) : current.channelTypes,
    channels,
    categories: input.categories ? mergeRules(current.categories, input.categories) : current.categories,
    workflows: input.workflows ? mergeRules(current.workflows, input.workflows) : current.workflows,
    commercialSubscribed: input.commercialSubscribed ?? current.commercialSubscribed,
    quietHours:
      quiet === undefined
        ? current.quietHours
        : quiet === null
          ? null
          : {
              start: quiet.start,
              end: quiet.end,
              weekdays: quiet.weekdays ? [...new Set(quiet.weekdays)] : null,
              channelTypes: quiet.channelTypes ? [...new Set(quiet.channelTypes)] : [...CHANNEL_TYPES],
            },
  };
}
