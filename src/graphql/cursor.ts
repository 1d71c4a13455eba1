import { createHmac, timingSafeEqual } from "node:crypto";
import { requestError } from "./request-errors.ts";

/**
 * Opaque, tamper-evident page cursors. A cursor holds the sort key of a row
 * and is signed together with a binding (the filter and order it was made
 * under), so a forged cursor, or one used with another filter or order, is
 * refused rather than silently paging from the wrong place.
 */
export type CursorValues = readonly (string | number | null)[];

function signature(payload: string, binding: string, secret: string): Buffer {
  return createHmac("sha256", secret).update(`${binding}\n${payload}`).digest().subarray(0, 18);
}

export function encodeCursor(values: CursorValues, binding: string, secret: string): string {
  const payload = Buffer.from(JSON.stringify(values)).toString("base64url");
  return `${payload}.${signature(payload, binding, secret).toString("base64url")}`;
}

export function decodeCursor(cursor: string, binding: string, secret: string): CursorValues {
  const [payload, signed, extra] = cursor.split(".");
  const given = Buffer.from(signed ?? "", "base64url");
  const expected = signature(payload ?? "", binding, secret);
  if (extra !== undefined || !payload || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw requestError("BAD_USER_INPUT", "The cursor is not valid for this filter and order.");
  }
  const values: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  if (!Array.isArray(values)) throw requestError("BAD_USER_INPUT", "The cursor is not valid.");
  return values as CursorValues;
}
