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
