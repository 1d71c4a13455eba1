import { NotFoundError, ValidationError } from "../errors.ts";
import { builder } from "../graphql/builder.ts";
import { resultUnion } from "../graphql/result-union.ts";
import { readsUserFields } from "../users/read/user-selection.ts";
import { UserType } from "../users/schema/user-schema.ts";
import { type UiSettingsInput as UiSettingsInputShape, updateUiSettings } from "./ui-settings.ts";

const UiSettingsType = builder.simpleObject("UiSettings", {
  description: "How the user's apps show themselves, as device platforms keep it.",
  fields: (t) => ({ developerMode: t.boolean(), darkMode: t.boolean() }),
});

builder.prismaObjectField("User", "uiSettings", (t) =>
  t.field({
    type: UiSettingsType,
    extensions: readsUserFields(["developerMode", "darkMode"]),
    resolve: ({ developerMode, darkMode }) => ({ developerMode, darkMode }),
  }),
);

const UiSettingsInput = builder.inputType("UiSettingsInput", {
  description: "A setting left out stays as it is; null turns it off.",
  fields: (t) => ({ developerMode: t.boolean(), darkMode: t.boolean() }) satisfies Record<keyof UiSettingsInputShape, unknown>,
});

const UpdateUiSettingsSuccess = builder.simpleObject("UpdateUiSettingsSuccess", {
  fields: (t) => ({ user: t.field({ type: UserType }) }),
});

builder.mutationField("updateUiSettings", (t) =>
  t.field({
    type: resultUnion("UpdateUiSettings", UpdateUiSettingsSuccess, [ValidationError, NotFoundError]),
    description: "Changes a user's UI settings: a user token's or a member's own without userId; a secret key names the user.",
    skipTypeScopes: true,
    authScopes: (_root, { userId }) =>
      userId == null
        ? { $any: { userToken: true, member: true, scope: "users:write" } }
        : { $any: { scope: "users:write", selfUser: userId } },
    checksOwnArguments: true,
    args: { userId: t.arg.id(), input: t.arg({ type: UiSettingsInput, required: true }) },
    resolve: (_root, { userId, input }, { prisma, auth }) => updateUiSettings(prisma, auth, userId, input),
  }),
);
