import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { z } from "zod";
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from "./storable.ts";

// Field formats of the contract, shared by every domain that stores contact data.

// NUL is left to storableText, which reports it once.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the class names control characters on purpose.
const CONTROL_CHARACTERS = /[^\P{Cc}\u0000]/u;

const invalid = (ctx: z.core.$RefinementCtx, message: string) => {
  ctx.addIssue({ code: "custom", message, params: { reason: "invalid" } });
  return z.NEVER;
};

/** Any text to store: PostgreSQL takes neither NUL nor unpaired surrogates. */
export const storableText = z.string().refine(isStorableText, UNSTORABLE_TEXT_MESSAGE);

/** Free text shown to people: bounded, without control characters. */
export const plainText = (max: number) =>
  storableText
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !CONTROL_CHARACTERS.test(value), "must not contain control characters");

// Names a dashboard shows to other people, by the device platform's rules,
// wherever they are written (registration, createOrganization, renameOrganization, inviteUser).
const ORGANIZATION_NAME = /^[\p{L}\p{M}\p{N} .'-]+$/u;
// The pattern leaves out control characters itself, so a name breaking both rules gets one message.
export const organizationName = storableText
  .max(200, "must be at most 200 characters")
  .trim()
  .min(1, "must not be empty")
  .refine((name) => name === "" || ORGANIZATION_NAME.test(name), "may contain only letters, digits, spaces, dots, hyphens and apostrophes");

/** What an organization name may not contain, for names made up from other text. */
export const ORGANIZATION_NAME_EXCLUDED = /[^\p{L}\p{M}\p{N} .'-]+/gu;

export const invitedName = plainText(200)
  .trim()
  .min(1, "must not be empty")
  .refine((name) => !/[/\\<>]/.test(name), "must not contain /, \\, < or >");

export const email = z.string().trim().max(254, "must be at most 254 characters").pipe(z.email("must be a valid email address"));

/** Any way of writing a phone number with its country code, stored as E.164. */
export const phoneNumber = z.string().transform((value, ctx) => {
  const parsed = parsePhoneNumberFromString(value);
  if (!parsed?.isValid()) return invalid(ctx, "must be a valid phone number in E.164 form (+ and 8–15 digits)");
  return parsed.number;
});

/** An IANA time zone name, stored in its canonical spelling. */
export const timezone = z.string().transform((value, ctx) => {
  // Intl also accepts UTC offsets such as +01:00, which are not tz database names.
  if (!/^[A-Za-z]/.test(value)) return invalid(ctx, "must be an IANA time zone name such as Europe/Paris");
  try {
    return new Intl.DateTimeFormat("en", { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return invalid(ctx, "must be an IANA time zone name such as Europe/Paris");
  }
});

/**
 * A BCP 47 language tag, stored canonical (en-us → en-US). Locales as Android,
 * Java and POSIX write them are read as their BCP 47 form: en_US → en-US,
 * zh_Hant_TW → zh-Hant-TW, de_DE.UTF-8 → de-DE.
 */
export const locale = z.string().transform((value, ctx) => {
  const tag = /^[A-Za-z]{2,3}_/.test(value) ? value.replace(/(\.[\w-]+)?(@\w+)?$/, "").replaceAll("_", "-") : value;
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    return canonical ?? invalid(ctx, "must be a BCP 47 language tag such as en-US");
  } catch {
    return invalid(ctx, "must be a BCP 47 language tag such as en-US");
  }
});

export const httpsUrl = storableText
  .max(2048, "must be at most 2048 characters")
  .refine((value) => URL.canParse(value) && new URL(value).protocol === "https:", "must be an absolute https URL");

/** Base64url (RFC 4648 §5) without padding, as browsers write web push keys. */
export const base64url = z.base64url("must be base64url without padding").min(1, "must not be empty");

/** A device token of APNS or FCM: opaque text the provider issued, stripped of stray whitespace. */
export const pushToken = storableText.trim().min(1, "must not be empty").max(4096, "must be at most 4096 characters");

// Slack ids are a type letter and upper-case alphanumerics: channels C (public)
// or G (private, and older group conversations); users U, or W on Enterprise Grid.
export const slackChannelId = z.string().regex(/^[CG][A-Z0-9]{8,}$/, "must be a Slack channel id such as C024BE91L");
export const slackUserId = z.string().regex(/^[UW][A-Z0-9]{8,}$/, "must be a Slack user id such as U024BE7LH");

/**
 * A browser's push subscription as PushSubscription.toJSON() gives it:
 * `expirationTime` is when it ends, in milliseconds since the epoch, or null
 * (kept as given; left out, it is not stored).
 */
export const webPushSubscription = z.strictObject({
  endpoint: httpsUrl,
  expirationTime: z.number().min(0, "must be 0 or more").max(8.64e15, "must be a time in milliseconds since the epoch").nullish(),
  keys: z.strictObject({ p256dh: base64url, auth: base64url }),
});
