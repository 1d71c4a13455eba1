import { requestError } from "./request-errors.ts";

/** The contract's cap on first, last and size: more is an error, never a silent cut. */
export const MAX_PAGE_SIZE = 1000;

export function checkPageSize(argument: string, value: number) {
  if (!Number.isInteger(value) || value < 0 || value > MAX_PAGE_SIZE) {
    throw requestError("BAD_USER_INPUT", `${argument} must be between 0 and ${MAX_PAGE_SIZE}.`, { argument, max: MAX_PAGE_SIZE });
  }
}
