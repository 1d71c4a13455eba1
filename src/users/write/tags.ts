import { z } from "zod";
import { plainText } from "../../validation/formats.ts";

export const MAX_TAGS_PER_USER = 100;

const tag = z.string().trim().pipe(plainText(64).min(1, "must not be empty"));

/** Tags as given, trimmed, each kept once in the order it first appears. */
export const tagList = z.array(tag).transform((tags) => [...new Set(tags)]);

export type TagEdit = {
  /** Replaces every tag; null clears them. */
  tags?: string[] | null;
  addTags?: string[] | null;
  removeTags?: string[] | null;
};

/** The user's tags after an edit: a replacement, or additions then removals. */
export function editTags(current: readonly string[], { tags, addTags, removeTags }: TagEdit): string[] {
  if (tags !== undefined) return tags ?? [];
  const removed = new Set(removeTags);
  return [...new Set([...current, ...(addTags ?? [])])].filter((tag) => !removed.has(tag));
}
