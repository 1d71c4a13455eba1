import { changedPaths } from "./changed-fields.ts";
import type { NewDirectoryEvent } from "./event-types.ts";

/**
 * PREFERENCES_UPDATED naming what changed under the set's id
 * (`default.channelTypes.email`); none when the preferences in effect stay
 * the same. `userId` null: the project's defaults.
 */
export function preferencesEvent(userId: string | null, setId: string, before: unknown, after: unknown): NewDirectoryEvent[] {
  const changedFields = changedPaths({ [setId]: before }, { [setId]: after }, 3);
  return changedFields.length === 0 ? [] : [{ type: "PREFERENCES_UPDATED", userId, changedFields }];
}
