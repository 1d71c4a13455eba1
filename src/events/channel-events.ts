import { changedPaths } from "./changed-fields.ts";
import type { NewDirectoryEvent } from "./event-types.ts";

/** CHANNEL_SETTINGS_SET naming the settings that changed (`settings.device_tokens`); none when they are the same. */
export function channelSettingsEvent(userId: string, channelId: string, before: unknown, after: unknown): NewDirectoryEvent[] {
  const changedFields = changedPaths({ settings: before ?? {} }, { settings: after }, 2);
  if (before !== undefined && changedFields.length === 0) return [];
  return [{ type: "CHANNEL_SETTINGS_SET", userId, channelId, changedFields: changedFields.length > 0 ? changedFields : ["settings"] }];
}
