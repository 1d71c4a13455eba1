import { z } from "zod";
import { ValidationError } from "../../errors.ts";
import { plainText, webPushSubscription } from "../../validation/formats.ts";
import { callerId } from "../../validation/ids.ts";
import { parseOrThrow } from "../../validation/problems.ts";
import { profileFields, profileOnceFields } from "./profile.ts";
import { propertiesPatch } from "./properties.ts";
import { pushTokenList } from "./push-tokens.ts";
import { slackDestination } from "./slack-destination.ts";
import { MAX_TAGS_PER_USER, tagList } from "./tags.ts";

/** For a column that cannot be null: null in the input clears it to `cleared`. */
const clearableTo = <Schema extends z.ZodType>(schema: Schema, cleared: z.output<Schema>) =>
  schema.nullish().transform((value) => (value === null ? cleared : value));

const optionsSchema = z.strictObject({
  /** 0 asks that the user does not exist yet. */
  expectedVersion: z.number().int().min(0, "must be 0 or more").nullish(),
  idempotencyKey: plainText(255).min(1, "must not be empty").nullish(),
  touchLastSeen: z
    .boolean()
    .nullish()
    .transform((touch) => touch ?? true),
});

// One namespace of paths for the id argument, the input's fields and `options.…`.
const upsertSchema = z
  .strictObject({
    id: callerId,
    ...profileFields,
    profileOnce: profileOnceFields.nullish(),
    organizationId: callerId.nullish(),
    createdAt: z.date().nullish(),
    properties: propertiesPatch.nullish(),
    propertiesOnce: propertiesPatch.nullish(),
    tags: tagList.pipe(z.array(z.string()).max(MAX_TAGS_PER_USER, `must hold at most ${MAX_TAGS_PER_USER} tags`)).nullish(),
    addTags: tagList.nullish(),
    removeTags: tagList.nullish(),
    unsubscribedEmail: clearableTo(z.boolean(), false),
    unsubscribedTexting: clearableTo(z.boolean(), false),
    pushTokens: pushTokenList.nullish(),
    webPushSubscriptions: clearableTo(z.array(webPushSubscription), []),
    slackDestination: slackDestination.nullish(),
    options: optionsSchema,
  })
  .superRefine(
    ({ tags, addTags, removeTags }, ctx) => {
      if (tags !== undefined && (addTags != null || removeTags != null)) {
        ctx.addIssue({
          code: "custom",
          path: ["tags"],
          message: "cannot be combined with addTags or removeTags",
          params: { reason: "conflict" },
        });
      }
    },
    // Also when other fields failed, so that every problem is reported at once.
    { when: () => true },
  );

/**
 * The fields an upsert may name; their values are checked here, so any may
 * come in. The GraphQL input types name exactly these (upsert-input-schema.ts
 * checks it), and any other field is refused as unknown.
 */
export type UpsertInput = { [Field in Exclude<keyof z.input<typeof upsertSchema>, "id" | "options">]?: unknown };
export type UpsertOptions = { [Field in keyof z.input<typeof optionsSchema>]?: unknown };
/** An upsert of one user, validated and normalised: undefined leaves a field as it is. */
export type ParsedUpsert = z.output<typeof upsertSchema>;

/** Validates an upsert, reporting every problem of it at once. */
export function parseUpsert(id: string, input: UpsertInput, options: UpsertOptions = {}): ParsedUpsert {
  return parseOrThrow(upsertSchema, { ...input, id, options });
}

/** As parseUpsert, for batches where a bad input fails alone. */
export function safeParseUpsert(id: string, input: UpsertInput): ParsedUpsert | ValidationError {
  try {
    return parseUpsert(id, input);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
}
