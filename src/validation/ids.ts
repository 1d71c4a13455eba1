import { plainText } from "./formats.ts";

/** Ids the caller chooses (users, organizations): 1–255 characters without control characters. */
export const callerId = plainText(255).min(1, "must not be empty");
