import type { z } from "zod";
import { type FieldErrorReason, type FieldProblem, ValidationError } from "../errors.ts";

function reasonOf(issue: z.core.$ZodIssue): FieldErrorReason {
  switch (issue.code) {
    case "too_big":
      return issue.origin === "array" || issue.origin === "set" ? "too_many" : "too_long";
    case "unrecognized_keys":
      return "unknown";
    case "invalid_type":
      return issue.input === undefined ? "required" : "invalid";
    case "custom":
      return (issue.params?.reason as FieldErrorReason | undefined) ?? "invalid";
    default:
      return "invalid";
  }
}

/** Every problem zod found, each at its dotted input path under `prefix`. */
export function fieldProblems(error: z.ZodError, prefix: readonly (string | number)[] = []): FieldProblem[] {
  return error.issues.flatMap((issue) => {
    const reason = reasonOf(issue);
    // An unknown key is reported at the key itself, not at the object holding it.
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [undefined];
    return keys.map((key) => ({
      field: [...prefix, ...issue.path, ...(key === undefined ? [] : [key])].map(String).join("."),
      message: reason === "unknown" ? "is not a known field" : issue.message,
      reason,
    }));
  });
}

/**
 * zod's safeParse keeping each issue's input: without it zod leaves `input`
 * out, and a value of the wrong type would read as a missing one.
 */
export function safeParseInput<Schema extends z.ZodType>(schema: Schema, input: unknown) {
  return schema.safeParse(input, { reportInput: true });
}

/** Parses `input` or throws one ValidationError holding every problem found. */
export function parseOrThrow<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  prefix: readonly (string | number)[] = [],
): z.output<Schema> {
  const result = safeParseInput(schema, input);
  if (!result.success) throw new ValidationError(fieldProblems(result.error, prefix));
  return result.data;
}
