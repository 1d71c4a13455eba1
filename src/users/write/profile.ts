import { z } from "zod";
import { email, httpsUrl, locale, phoneNumber, plainText, timezone } from "../../validation/formats.ts";

/**
 * The profile fields of an upsert, validated and normalised. A field left
 * out stays undefined (unchanged); null clears it.
 */
export const profileFields = {
  email: email.nullish(),
  phoneNumber: phoneNumber.nullish(),
  name: plainText(200).nullish(),
  title: plainText(200).nullish(),
  nickname: plainText(200).nullish(),
  avatarUrl: httpsUrl.nullish(),
  locale: locale.nullish(),
  timezone: timezone.nullish(),
};

/** `profileOnce`: the same fields, each written only where the user has none yet. */
export const profileOnceFields = z.strictObject(profileFields);
export type ProfileField = keyof typeof profileFields;

/** The profile fields `once` names that `row` has no value for yet. */
export function profileOnceChanges<Row extends Record<ProfileField, unknown>>(
  row: Row,
  once: z.output<typeof profileOnceFields> | null | undefined,
): Partial<Row> {
  if (!once) return {};
  return Object.fromEntries(
    Object.entries(once).filter(([field, value]) => value != null && row[field as ProfileField] == null),
  ) as Partial<Row>;
}
