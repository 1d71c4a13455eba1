import { z } from "zod";
import { parseOrThrow } from "../validation/problems.ts";
import { email, httpsUrl, locale, phoneNumber, plainText, timezone } from "../validation/formats.ts";

/** Ids are the caller's own: any text of 1–255 characters without control characters. */
export const userId = plainText(255).min(1, "must not be empty");

const profileSchema = z.object({
  email: email.nullish(),
  phoneNumber: phoneNumber.nullish(),
  name: plainText(200).nullish(),
  title: plainText(200).nullish(),
  nickname: plainText(200).nullish(),
  avatarUrl: httpsUrl.nullish(),
  locale: locale.nullish(),
  timezone: timezone.nullish(),
});

export type ProfileInput = z.input<typeof profileSchema>;
export type Profile = z.output<typeof profileSchema>;

/**
 * Validates and normalises the profile fields of an upsert, reporting every
 * problem at once. A field left out stays undefined (unchanged), null clears.
 */
export function parseProfile(id: string, input: ProfileInput): Profile {
  // The id argument and the input's fields share one namespace of paths (`id`, `email`).
  const { id: _id, ...profile } = parseOrThrow(profileSchema.extend({ id: userId }), { ...input, id });
  return profile;
}
