import { z } from "zod";
import { type FieldProblem, ValidationError } from "../errors.ts";
import { fieldProblems, safeParseInput } from "../validation/problems.ts";
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

const MAX_RULES = 200;
const MAX_CONDITIONS = 20;
const RULE_KEY = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const VARIABLE = /^(recipient|data)(\.[A-Za-z0-9_-]+)+$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const WITHOUT_ARGUMENT: readonly ConditionOperator[] = ["EMPTY", "NOT_EMPTY"];
/**
 * Refinements that run even when other fields failed, so that every problem is
 * reported at once; they then see the input as given, so they check its shape.
 */
const ALWAYS = { when: () => true };
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

/** At most `max` items; a refinement rather than .max(), which would keep the refinements around it from running. */
const atMost = (max: number, what: string) => (items: unknown[], context: z.RefinementCtx) => {
  if (Array.isArray(items) && items.length > max)
    context.addIssue({ code: "custom", message: `at most ${max} ${what}`, params: { reason: "too_many" } });
};

/** A refinement reporting each item whose key an earlier item has, at `<index>.<keyField>`. */
const uniqueBy =
  <Item>(keyField: keyof Item & string) =>
  (items: Item[], context: z.RefinementCtx) => {
    if (!Array.isArray(items)) return;
    const seen = new Set<unknown>();
    items.forEach((item, index) => {
      const key = isRecord(item) ? item[keyField] : undefined;
      if (seen.has(key)) {
        context.addIssue({
          code: "custom",
          path: [index, keyField],
          message: `${JSON.stringify(key)} is given twice`,
          params: { reason: "conflict" },
        });
      }
      seen.add(key);
    });
  };

const channelTypeSettings = z
  .array(z.strictObject({ channelType: z.enum(CHANNEL_TYPES), enabled: z.boolean().nullish() }))
  .superRefine(uniqueBy("channelType"), ALWAYS);

const channelPreference = z.strictObject({ channelId: z.string(), enabled: z.boolean().nullish() });

const condition = z
  .strictObject({
    variable: z.string().regex(VARIABLE, "a path under recipient. or data., such as recipient.locale or data.amount"),
    operator: z.enum(CONDITION_OPERATORS),
    argument: z.string().nullish(),
  })
  .superRefine((given, context) => {
    // An unknown operator is reported as such, not as missing its argument.
    if (!isRecord(given) || !CONDITION_OPERATORS.includes(given.operator)) return;
    const { operator, argument } = given;
    const takesArgument = !WITHOUT_ARGUMENT.includes(operator);
    if (takesArgument && argument == null) {
      context.addIssue({ code: "custom", path: ["operator"], message: `${operator} needs an argument`, params: { reason: "required" } });
    }
    if (!takesArgument && argument != null)
      context.addIssue({ code: "custom", path: ["operator"], message: `${operator} takes no argument` });
  }, ALWAYS);

const rule = z.strictObject({
  key: z.string().regex(RULE_KEY, "1 to 128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit"),
  enabled: z.boolean().nullish(),
  channelTypes: channelTypeSettings.nullish(),
  conditions: z.array(condition).superRefine(atMost(MAX_CONDITIONS, "conditions"), ALWAYS).nullish(),
});
const rules = z.array(rule).superRefine(atMost(MAX_RULES, "rules"), ALWAYS).superRefine(uniqueBy("key"), ALWAYS);

const timeOfDay = z.string().regex(TIME, "a time of day as HH:MM, 00:00 to 23:59");
const quietHours = z
  .strictObject({
    start: timeOfDay,
    end: timeOfDay,
    weekdays: z.array(z.enum(WEEKDAYS)).nullish(),
    channelTypes: z.array(z.enum(CHANNEL_TYPES)).nullish(),
  })
  .superRefine((given, context) => {
    if (isRecord(given) && given.start === given.end) context.addIssue({ code: "custom", path: ["end"], message: "differs from start" });
  }, ALWAYS);

const preferenceSetInput = z.strictObject({
  channelTypes: channelTypeSettings.nullish(),
  channels: z.array(channelPreference).superRefine(uniqueBy("channelId"), ALWAYS).nullish(),
  categories: rules.nullish(),
  workflows: rules.nullish(),
  commercialSubscribed: z.boolean().nullish(),
  quietHours: quietHours.nullish(),
});

// What the GraphQL inputs name (preference-schema.ts ties them with `satisfies`), and what a parsed input holds.
export type ChannelTypeSettingInput = z.input<typeof channelTypeSettings>[number];
export type ChannelPreferenceInput = z.input<typeof channelPreference>;
export type ConditionInput = z.input<typeof condition>;
export type PreferenceRuleInput = z.input<typeof rule>;
export type QuietHoursInput = z.input<typeof quietHours>;
export type PreferenceSetInput = z.input<typeof preferenceSetInput>;
export type ParsedPreferenceSetInput = z.output<typeof preferenceSetInput>;

/**
 * The input validated, or a ValidationError with every problem of it (and
 * `problems` found beforehand) under dotted paths such as
 * `categories.2.conditions.0.operator`. `knownChannelIds`: the project's channels.
 */
export function parsePreferenceInput(
  input: PreferenceSetInput,
  knownChannelIds: ReadonlySet<string>,
  problems: FieldProblem[] = [],
): ParsedPreferenceSetInput {
  const schema = preferenceSetInput.extend({
    channels: preferenceSetInput.shape.channels.superRefine((channels, context) => {
      if (!Array.isArray(channels)) return;
      channels.forEach((channel, index) => {
        if (isRecord(channel) && !knownChannelIds.has(channel.channelId)) {
          context.addIssue({
            code: "custom",
            path: [index, "channelId"],
            message: "no channel with this id",
            params: { reason: "unknown" },
          });
        }
      });
    }, ALWAYS),
  });
  const result = safeParseInput(schema, input);
  const all = [...problems, ...(result.success ? [] : fieldProblems(result.error))];
  if (all.length > 0) throw new ValidationError(all);
  return result.data!;
}

function mergeChannelTypes(
  current: ChannelTypeSettings,
  given: NonNullable<ParsedPreferenceSetInput["channelTypes"]>,
): ChannelTypeSettings {
  const merged = { ...current };
  for (const { channelType, enabled } of given) {
    if (enabled == null) delete merged[channelType];
    else merged[channelType] = enabled;
  }
  return merged;
}

function mergeRules(
  current: Record<string, PreferenceRule>,
  given: NonNullable<ParsedPreferenceSetInput["categories"]>,
): Record<string, PreferenceRule> {
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
export function mergePreferences(current: PreferenceDocument, input: ParsedPreferenceSetInput): PreferenceDocument {
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
