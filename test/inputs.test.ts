import { expect, test } from "vitest";
import { ValidationError } from "../src/errors.ts";
import { parseUpsert } from "../src/users/write/upsert-input.ts";

// GraphQL refuses fields its input types lack; the zod schemas behind them
// refuse fields they do not map, so neither side can drop a field silently.
// That both sides name the same fields is checked when type-checking
// (`satisfies Record<keyof …>` on each input type).

test("an upsert naming a field the schema does not map is refused, not stripped", () => {
  const upsert = () => parseUpsert("u1", { pronouns: "they", name: "Ada" } as never);
  expect(upsert).toThrow(ValidationError);
  expect(upsert).toThrow(expect.objectContaining({ fields: [{ field: "pronouns", reason: "unknown", message: "is not a known field" }] }));
});

test("so are unknown options", () => {
  expect(() => parseUpsert("u1", {}, { retries: 3 } as never)).toThrow(
    expect.objectContaining({ fields: [{ field: "options.retries", reason: "unknown", message: "is not a known field" }] }),
  );
});
