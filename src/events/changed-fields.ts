import { isDeepStrictEqual } from "node:util";

/** Whether a value is a JSON object (not an array, not null). */
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);

/**
 * The dotted paths at which two JSON values differ, descending into objects
 * `depth` levels (`properties.plan`), sorted. An empty list: nothing changed.
 */
export function changedPaths(before: unknown, after: unknown, depth: number, prefix = ""): string[] {
  if (isDeepStrictEqual(before, after)) return [];
  if (depth === 0 || !isObject(before) || !isObject(after)) return prefix === "" ? [] : [prefix];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.flatMap((key) => changedPaths(before[key], after[key], depth - 1, prefix === "" ? key : `${prefix}.${key}`));
}
