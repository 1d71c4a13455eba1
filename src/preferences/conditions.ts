import type { JsonObject } from "../json.ts";
import type { Condition } from "./preference-document.ts";

/** What a condition's variable reads: `recipient.<field or property path>` and `data.<path>`. */
export type ConditionContext = { recipient: Record<string, unknown>; properties: JsonObject; data: JsonObject };

/** The user fields a condition reads by name; any other `recipient.` path reads the user's properties. */
export const RECIPIENT_FIELDS = [
  "id",
  "email",
  "phoneNumber",
  "name",
  "title",
  "nickname",
  "locale",
  "timezone",
  "status",
  "tags",
  "organizationId",
  "properties",
] as const;

function valueAt(root: unknown, path: readonly string[]): unknown {
  let value = root;
  for (const segment of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

export function variableValue(variable: string, context: ConditionContext): unknown {
  const [root, first, ...rest] = variable.split(".");
  if (root === "data") return valueAt(context.data, [first!, ...rest]);
  if ((RECIPIENT_FIELDS as readonly string[]).includes(first!)) return valueAt(context.recipient[first!], rest);
  return valueAt(context.properties, [first!, ...rest]);
}

const isEmpty = (value: unknown) =>
  value === undefined ||
  value === null ||
  value === "" ||
  (Array.isArray(value) && value.length === 0) ||
  (typeof value === "object" && !Array.isArray(value) && Object.keys(value as object).length === 0);

const equals = (value: unknown, argument: string) =>
  (typeof value === "string" || typeof value === "number" || typeof value === "boolean") && String(value) === argument;

/** Numbers compare as numbers, ISO dates as instants, anything else as strings; a missing value compares to nothing. */
function compare(value: unknown, argument: string): number | null {
  if (typeof value !== "string" && typeof value !== "number") return null;
  const number = Number(argument);
  if (argument.trim() !== "" && Number.isFinite(number) && String(value).trim() !== "" && Number.isFinite(Number(value))) {
    return Number(value) - number;
  }
  const [time, argumentTime] = [Date.parse(String(value)), Date.parse(argument)];
  if (typeof value === "string" && Number.isFinite(time) && Number.isFinite(argumentTime)) return time - argumentTime;
  const text = String(value);
  return text < argument ? -1 : text > argument ? 1 : 0;
}

function contains(value: unknown, argument: string): boolean {
  if (Array.isArray(value)) return value.some((item) => equals(item, argument));
  return typeof value === "string" && value.includes(argument);
}

const ORDERED = {
  GREATER_THAN: (difference: number) => difference > 0,
  LESS_THAN: (difference: number) => difference < 0,
  GREATER_THAN_OR_EQUAL_TO: (difference: number) => difference >= 0,
  LESS_THAN_OR_EQUAL_TO: (difference: number) => difference <= 0,
} as const;

export function conditionHolds({ variable, operator, argument }: Condition, context: ConditionContext): boolean {
  const value = variableValue(variable, context);
  const given = argument ?? "";
  switch (operator) {
    case "EQUAL_TO":
      return equals(value, given);
    case "NOT_EQUAL_TO":
      return !equals(value, given);
    case "GREATER_THAN":
    case "LESS_THAN":
    case "GREATER_THAN_OR_EQUAL_TO":
    case "LESS_THAN_OR_EQUAL_TO": {
      const difference = compare(value, given);
      return difference !== null && ORDERED[operator](difference);
    }
    case "CONTAINS":
      return contains(value, given);
    case "NOT_CONTAINS":
      return !contains(value, given);
    case "EMPTY":
      return isEmpty(value);
    case "NOT_EMPTY":
      return !isEmpty(value);
  }
}
