import { ChannelType as ChannelObject } from "../channels/channel-schema.ts";
import { NotFoundError, ValidationError, VersionConflictError } from "../errors.ts";
import { builder } from "../graphql/builder.ts";
import { resultUnion } from "../graphql/result-union.ts";
import { readsUserFields } from "../users/read/user-selection.ts";
import type { ChannelType } from "./channel-types.ts";
import {
  type ChannelPreferenceInput as ChannelPreferenceInputShape,
  type ChannelTypeSettingInput as ChannelTypeSettingInputShape,
  type ChannelTypeSettings,
  CONDITION_OPERATORS,
  type Condition,
  type ConditionInput as ConditionInputShape,
  type PreferenceRule,
  type PreferenceRuleInput as PreferenceRuleInputShape,
  type PreferenceSetInput as PreferenceSetInputShape,
  type QuietHours,
  type QuietHoursInput as QuietHoursInputShape,
  WEEKDAYS,
} from "./preference-document.ts";
import {
  DEFAULT_SET_ID,
  type OwnedPreferenceSet,
  type PreferenceSetView,
  readChannelPreferences,
  readDefaultPreferences,
  readUserPreferenceSets,
  readUserPreferences,
  setDefaultPreferences,
  setPreferences,
  setPreferencesForUsers,
} from "./preference-store.ts";
import { ChannelTypeEnum } from "./workflow-schema.ts";

export const ConditionOperatorEnum = builder.enumType("ConditionOperator", { values: CONDITION_OPERATORS });
export const WeekdayEnum = builder.enumType("Weekday", { values: WEEKDAYS });

const ChannelTypeSettingType = builder.simpleObject("ChannelTypeSetting", {
  fields: (t) => ({ channelType: t.field({ type: ChannelTypeEnum }), enabled: t.boolean() }),
});
const settingsList = (settings: ChannelTypeSettings) =>
  Object.entries(settings).map(([channelType, enabled]) => ({ channelType: channelType as ChannelType, enabled: enabled! }));

const PreferenceConditionType = builder.objectRef<Condition>("PreferenceCondition").implement({
  fields: (t) => ({
    variable: t.exposeString("variable", { description: "recipient.<field or property path> or data.<path>" }),
    operator: t.field({ type: ConditionOperatorEnum, resolve: (condition) => condition.operator }),
    argument: t.exposeString("argument", { nullable: true }),
  }),
});

const PreferenceRuleType = builder.objectRef<PreferenceRule & { key: string }>("PreferenceRule").implement({
  fields: (t) => ({
    key: t.exposeString("key"),
    enabled: t.exposeBoolean("enabled", {
      nullable: true,
      description: "false opts out; null leaves it to the channel types and conditions.",
    }),
    channelTypes: t.field({ type: [ChannelTypeSettingType], resolve: (rule) => settingsList(rule.channelTypes) }),
    conditions: t.field({ type: [PreferenceConditionType], description: "Every one must hold.", resolve: (rule) => rule.conditions }),
  }),
});
const rulesList = (rules: Record<string, PreferenceRule>) => Object.entries(rules).map(([key, rule]) => ({ key, ...rule }));

const QuietHoursType = builder.objectRef<QuietHours>("QuietHours").implement({
  description: "A daily window in the user's own timezone (UTC when it has none); it may cross midnight.",
  fields: (t) => ({
    start: t.exposeString("start", { description: "HH:MM" }),
    end: t.exposeString("end", { description: "HH:MM" }),
    weekdays: t.field({
      type: [WeekdayEnum],
      nullable: true,
      description: "The days a window starts on; null for every day.",
      resolve: (quiet) => quiet.weekdays,
    }),
    channelTypes: t.field({ type: [ChannelTypeEnum], resolve: (quiet) => quiet.channelTypes }),
  }),
});

const ChannelPreferenceType = builder.simpleObject("ChannelPreference", {
  fields: (t) => ({ channel: t.field({ type: ChannelObject }), enabled: t.boolean() }),
});

export const PreferenceSetType = builder.objectRef<PreferenceSetView>("PreferenceSet").implement({
  fields: (t) => ({
    id: t.exposeID("id", { description: `"default", or the id of the organization whose sends it governs.` }),
    channelTypes: t.field({ type: [ChannelTypeSettingType], resolve: (set) => settingsList(set.document.channelTypes) }),
    channels: t.loadableList({
      type: ChannelPreferenceType,
      description: "Preferences for the project's configured channels (deleted ones left out); they beat their channel type's.",
      // Every set of a response shares one statement (a page of users' preferences).
      load: (sets: PreferenceSetView[], { prisma, auth }) => readChannelPreferences(prisma, auth.projectId, sets),
      resolve: (set) => set,
    }),
    categories: t.field({ type: [PreferenceRuleType], resolve: (set) => rulesList(set.document.categories) }),
    workflows: t.field({ type: [PreferenceRuleType], resolve: (set) => rulesList(set.document.workflows) }),
    commercialSubscribed: t.boolean({ resolve: (set) => set.document.commercialSubscribed }),
    quietHours: t.field({ type: QuietHoursType, nullable: true, resolve: (set) => set.document.quietHours }),
    version: t.exposeInt("version", { description: "+1 on every change; 0 while the project's defaults stand in for it." }),
    updatedAt: t.expose("updatedAt", {
      type: "DateTime",
      nullable: true,
      description: "null while the project's defaults stand in for it.",
    }),
  }),
});

// Loaders per request: every user of a page shares the statements.
builder.prismaObjectFields("User", (t) => ({
  preferences: t.loadable({
    type: PreferenceSetType,
    description: "The user's preference set with this id; the project's defaults (version 0) when the user has none.",
    extensions: readsUserFields([]),
    args: { setId: t.arg.id({ defaultValue: DEFAULT_SET_ID }) },
    load: (keys: { userId: string; setId: string }[], { prisma, auth }) => readUserPreferences(prisma, auth.projectId, keys),
    loaderOptions: { cacheKeyFn: (key) => JSON.stringify([key.userId, key.setId]) },
    resolve: (user, { setId }) => ({ userId: user.id, setId: setId ?? DEFAULT_SET_ID }),
  }),
  preferenceSets: t.loadableGroup({
    type: PreferenceSetType,
    description: "The user's own sets, ordered by id.",
    extensions: readsUserFields([]),
    load: (userIds: string[], { prisma, auth }) => readUserPreferenceSets(prisma, auth.projectId, userIds),
    // The loader's rows are OwnedPreferenceSets; Pothos types them as the field's type.
    group: (set) => (set as OwnedPreferenceSet).userId,
    resolve: (user) => user.id,
  }),
}));

const ChannelTypeSettingInput = builder.inputType("ChannelTypeSettingInput", {
  fields: (t) =>
    ({
      channelType: t.field({ type: ChannelTypeEnum, required: true }),
      enabled: t.boolean({ description: "null removes the setting." }),
    }) satisfies Record<keyof ChannelTypeSettingInputShape, unknown>,
});
const ChannelPreferenceInput = builder.inputType("ChannelPreferenceInput", {
  fields: (t) =>
    ({
      channelId: t.id({ required: true }),
      enabled: t.boolean({ description: "null removes the preference." }),
    }) satisfies Record<keyof ChannelPreferenceInputShape, unknown>,
});
const PreferenceConditionInput = builder.inputType("PreferenceConditionInput", {
  fields: (t) =>
    ({
      variable: t.string({ required: true }),
      operator: t.field({ type: ConditionOperatorEnum, required: true }),
      argument: t.string(),
    }) satisfies Record<keyof ConditionInputShape, unknown>,
});
const PreferenceRuleInput = builder.inputType("PreferenceRuleInput", {
  fields: (t) =>
    ({
      key: t.string({ required: true }),
      enabled: t.boolean({ description: "An explicit null removes the rule; left out, the rule keeps what it had." }),
      channelTypes: t.field({ type: [ChannelTypeSettingInput], description: "Merges by channel type." }),
      conditions: t.field({ type: [PreferenceConditionInput], description: "Replaces the rule's conditions." }),
    }) satisfies Record<keyof PreferenceRuleInputShape, unknown>,
});
const QuietHoursInput = builder.inputType("QuietHoursInput", {
  fields: (t) =>
    ({
      start: t.string({ required: true }),
      end: t.string({ required: true }),
      weekdays: t.field({ type: [WeekdayEnum], description: "Left out: every day." }),
      channelTypes: t.field({ type: [ChannelTypeEnum], description: "Left out: every channel type." }),
    }) satisfies Record<keyof QuietHoursInputShape, unknown>,
});
const PreferenceSetInput = builder.inputType("PreferenceSetInput", {
  description: "A list given merges into the stored one by key; a list left out stays.",
  fields: (t) =>
    ({
      channelTypes: t.field({ type: [ChannelTypeSettingInput] }),
      channels: t.field({ type: [ChannelPreferenceInput] }),
      categories: t.field({ type: [PreferenceRuleInput] }),
      workflows: t.field({ type: [PreferenceRuleInput] }),
      commercialSubscribed: t.boolean(),
      quietHours: t.field({ type: QuietHoursInput, description: "null removes the quiet hours." }),
    }) satisfies Record<keyof PreferenceSetInputShape, unknown>,
});
const SetPreferencesOptions = builder.inputType("SetPreferencesOptions", {
  fields: (t) => ({ expectedVersion: t.int({ description: "Refuse the change unless the set is at this version (0: not set yet)." }) }),
});

const SetPreferencesSuccess = builder.simpleObject("SetPreferencesSuccess", {
  fields: (t) => ({ preferenceSet: t.field({ type: PreferenceSetType }) }),
});
const SetDefaultPreferencesSuccess = builder.simpleObject("SetDefaultPreferencesSuccess", {
  fields: (t) => ({ preferenceSet: t.field({ type: PreferenceSetType }) }),
});
const SetPreferencesForUsersSuccess = builder.simpleObject("SetPreferencesForUsersSuccess", {
  fields: (t) => ({ preferenceSets: t.field({ type: [PreferenceSetType], description: "One per distinct user id, in the order given." }) }),
});

builder.mutationField("setPreferences", (t) =>
  t.field({
    type: resultUnion("SetPreferences", SetPreferencesSuccess, [ValidationError, NotFoundError, VersionConflictError]),
    description: "Merges the input into the user's preference set; a user without one starts from the project's defaults.",
    // A user token may set its own preferences (a preference centre); a secret key or a member (within its reach) needs users:write.
    skipTypeScopes: true,
    authScopes: (_root, { userId }) => ({ $any: { scope: "users:write", selfUser: userId } }),
    args: {
      userId: t.arg.id({ required: true }),
      setId: t.arg.id({ defaultValue: DEFAULT_SET_ID }),
      input: t.arg({ type: PreferenceSetInput, required: true }),
      options: t.arg({ type: SetPreferencesOptions }),
    },
    resolve: async (_root, { userId, setId, input, options }, { prisma, auth }) => ({
      preferenceSet: await setPreferences(prisma, auth, userId, setId ?? DEFAULT_SET_ID, input, options?.expectedVersion ?? null),
    }),
  }),
);

builder.mutationField("setPreferencesForUsers", (t) =>
  t.field({
    type: resultUnion("SetPreferencesForUsers", SetPreferencesForUsersSuccess, [ValidationError]),
    description: "setPreferences for up to 1000 users in one transaction: all are changed or none.",
    skipTypeScopes: true,
    authScopes: { scope: "users:write" },
    args: {
      userIds: t.arg.idList({ required: true }),
      setId: t.arg.id({ defaultValue: DEFAULT_SET_ID }),
      input: t.arg({ type: PreferenceSetInput, required: true }),
    },
    resolve: async (_root, { userIds, setId, input }, { prisma, auth }) => ({
      preferenceSets: await setPreferencesForUsers(prisma, auth, userIds, setId ?? DEFAULT_SET_ID, input),
    }),
  }),
);

builder.mutationField("setDefaultPreferences", (t) =>
  t.field({
    type: resultUnion("SetDefaultPreferences", SetDefaultPreferencesSuccess, [ValidationError, VersionConflictError]),
    description: "Merges the input into the project's defaults: the preferences of every user without a set of their own.",
    authScopes: { scope: "users:write" },
    args: { input: t.arg({ type: PreferenceSetInput, required: true }), options: t.arg({ type: SetPreferencesOptions }) },
    resolve: async (_root, { input, options }, { prisma, auth }) => ({
      preferenceSet: await setDefaultPreferences(prisma, auth, input, options?.expectedVersion ?? null),
    }),
  }),
);

builder.queryField("defaultPreferences", (t) =>
  t.field({
    type: PreferenceSetType,
    nullable: true,
    description: "The project's default preferences.",
    skipTypeScopes: true,
    authScopes: { scope: "users:read" },
    resolve: (_root, _args, { prisma, auth }) => readDefaultPreferences(prisma, auth.projectId),
  }),
);
