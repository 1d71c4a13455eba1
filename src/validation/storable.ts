import { z } from "zod";
import type { FieldErrorReason } from "../errors.ts";
import type { JsonObject } from "../json.ts";

// PostgreSQL refuses NUL in text and jsonb (22021, 22P05), and a lone UTF-16
// surrogate has no UTF-8 form: the driver would refuse it or store U+FFFD.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is the character refused.
const UNSTORABLE_CHARACTER = /[\u0000\p{Cs}]/u;

export const UNSTORABLE_TEXT_MESSAGE = "must not contain NUL characters or unpaired UTF-16 surrogates";

/** Whether PostgreSQL can store `text` as it is. */
export const isStorableText = (text: string) => !UNSTORABLE_CHARACTER.test(text);

/** Nesting of a JSON input, counted in objects and arrays: well past what custom data needs, well short of a deep stack. */
export const MAX_JSON_DEPTH = 32;

type Path = readonly (string | number)[];
export type PathProblem = { path: Path; message: string; reason: FieldErrorReason };

/**
 * Every key and string in `value` that PostgreSQL could not store, and each
 * place it nests deeper than `maxDepth`, at its path. Walks with a stack of
 * its own, not recursion, so that no nesting can exhaust the call stack;
 * stops after `limit` problems.
 */
export function unstorableParts(value: unknown, maxDepth = Number.POSITIVE_INFINITY, limit = 20): PathProblem[] {
  const problems: PathProblem[] = [];
  const pending: { value: unknown; path: Path; depth: number }[] = [{ value, path: [], depth: 0 }];
  const problem = (path: Path, message: string, reason: FieldErrorReason) => problems.push({ path, message, reason });
  while (pending.length > 0 && problems.length < limit) {
    const { value: item, path, depth } = pending.pop() as (typeof pending)[number];
    if (typeof item === "string") {
      if (!isStorableText(item)) problem(path, UNSTORABLE_TEXT_MESSAGE, "invalid");
    } else if (Array.isArray(item) || isPlainObject(item)) {
      if (depth === maxDepth) {
        problem(path, `must not nest objects and arrays more than ${maxDepth} deep`, "too_long");
        continue;
      }
      for (const [key, child] of Object.entries(item)) {
        if (!isStorableText(key)) problem([...path, key], `keys ${UNSTORABLE_TEXT_MESSAGE}`, "invalid");
        pending.push({ value: child, path: [...path, Array.isArray(item) ? Number(key) : key], depth: depth + 1 });
      }
    }
  }
  return problems;
}

// Input objects of graphql-js have no prototype; dates and other scalars' values are not walked.
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && [Object.prototype, null].includes(Object.getPrototypeOf(value));

/** A JSON object PostgreSQL can store: storable keys and strings, at most MAX_JSON_DEPTH deep, at most `maxBytes` as UTF-8 JSON. */
export const storableJsonObject = (maxBytes: number) =>
  z.record(z.string(), z.unknown()).superRefine((object: JsonObject, ctx) => {
    const problems = unstorableParts(object, MAX_JSON_DEPTH);
    for (const { path, message, reason } of problems) ctx.addIssue({ code: "custom", path: [...path], message, params: { reason } });
    // Measured only once the depth is known to be bounded: JSON.stringify recurses.
    if (problems.length === 0 && Buffer.byteLength(JSON.stringify(object)) > maxBytes) {
      ctx.addIssue({ code: "custom", message: `must be at most ${maxBytes} bytes of JSON`, params: { reason: "too_long" } });
    }
  });
