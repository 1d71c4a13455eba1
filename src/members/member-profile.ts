import { z } from "zod";
import { email, organizationName, phoneNumber, plainText, timezone } from "../validation/formats.ts";

// What people type about themselves when they sign up: stricter than what a
// backend may store through upsertUser, since it is shown to other members.

export const memberName = plainText(200)
  .trim()
  .min(1, "must not be empty")
  .regex(/^[\p{L}\p{M} .'-]+$/u, "may contain only letters, spaces, hyphens, dots and apostrophes");

export const memberTitle = plainText(200)
  .trim()
  .min(1, "must not be empty")
  .regex(/^[\p{L}\p{M} -]+$/u, "may contain only letters, hyphens and spaces");

export const memberNickname = plainText(200)
  .trim()
  .min(1, "must not be empty")
  .regex(/^[\p{L}\p{M}\p{N} -]+$/u, "may contain only letters, digits, hyphens and spaces");

/** Emails identify members case-insensitively; stored lower-case when a member is made. */
export const memberEmail = email.transform((value) => value.toLowerCase());

export const registration = z.strictObject({
  email: memberEmail,
  password: z.string(),
  name: memberName.nullish(),
  title: memberTitle.nullish(),
  nickname: memberNickname.nullish(),
  phoneNumber: phoneNumber.nullish(),
  timezone: timezone.nullish(),
  organizationName: organizationName.nullish(),
});
