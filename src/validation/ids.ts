import { z } from "zod";
import { plainText } from "./formats.ts";

/** Ids the caller chooses (users, organizations): 1–255 characters without control characters. */
export const callerId = plainText(255).min(1, "must not be empty");

const uuid = z.guid();

/** Ids the database gives (projects, keys, channels) are UUIDs: other text must not reach a uuid column, which would refuse it with an error. */
export const isUuid = (text: string): boolean => uuid.safeParse(text).success;
