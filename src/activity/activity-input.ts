import { z } from "zod";
import { Platform } from "../db/generated/prisma/enums.ts";
import { locale, plainText, storableText, timezone } from "../validation/formats.ts";
import { callerId } from "../validation/ids.ts";
import { parseOrThrow } from "../validation/problems.ts";

export type { Platform };
export const PLATFORMS = Object.values(Platform);

const label = plainText(100).trim().min(1, "must not be empty").nullish();
const named = z.strictObject({ name: label, version: label });
const regionNames = new Intl.DisplayNames(["en"], { type: "region", fallback: "none" });

/** An ISO 3166-1 alpha-2 code, any case, stored upper-case. */
export const country = z
  .string()
  .transform((code) => code.trim().toUpperCase())
  .refine(
    (code) => /^[A-Z]{2}$/.test(code) && code !== "ZZ" && regionNames.of(code) !== undefined,
    "must be an ISO 3166-1 alpha-2 country code such as US",
  );

// One namespace of paths for the userId argument and the input's fields.
export const activitySchema = z.strictObject({
  userId: callerId,
  platform: z.enum(PLATFORMS),
  userAgent: storableText.max(1024, "must be at most 1024 characters").nullish(),
  device: z.strictObject({ manufacturer: label, model: label }).nullish(),
  os: named.nullish(),
  browser: named.nullish(),
  app: z.strictObject({ name: label, version: label, build: label }).nullish(),
  locale: locale.nullish(),
  timezone: timezone.nullish(),
  country: country.nullish(),
  city: plainText(200).trim().min(1, "must not be empty").nullish(),
  at: z.date().nullish(),
});

/**
 * What trackActivity accepts; its values are checked here, so any may come
 * in. The GraphQL input type names exactly these fields (activity-schema.ts).
 */
export type ActivityInput = { [Field in Exclude<keyof z.input<typeof activitySchema>, "userId">]?: unknown };
export type DeviceInput = { [Field in keyof NonNullable<z.input<typeof activitySchema>["device"]>]?: unknown };
export type NamedVersionInput = { [Field in keyof NonNullable<z.input<typeof activitySchema>["os"]>]?: unknown };
export type AppInput = { [Field in keyof NonNullable<z.input<typeof activitySchema>["app"]>]?: unknown };
export type ParsedActivity = z.output<typeof activitySchema>;

export const parseActivity = (userId: string, input: ActivityInput): ParsedActivity => parseOrThrow(activitySchema, { ...input, userId });
