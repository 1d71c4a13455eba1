import { DateTime, IANAZone } from "luxon";
import type { ChannelType } from "./channel-types.ts";
import { type QuietHours, WEEKDAYS } from "./preference-document.ts";

const minutesOf = (time: string) => {
  const [hour, minute] = time.split(":").map(Number);
  return { hour: hour!, minute: minute! };
};

/**
 * When the quiet window `at` falls in ends (in UTC), or null outside every
 * window. Windows are wall-clock times in the user's zone (UTC when it has
 * none or an unknown one), so a window across a DST change is shorter or
 * longer in real time; one that crosses midnight belongs to the day it starts,
 * which is the day `weekdays` names.
 */
export function quietHoursEnd(quiet: QuietHours, channelType: ChannelType, at: Date, timezone: string | null): Date | null {
  return quiet.channelTypes.includes(channelType) ? windowEnd(quiet, at, timezone) : null;
}

function windowEnd(quiet: QuietHours, at: Date, timezone: string | null): Date | null {
  const zone = timezone && IANAZone.isValidZone(timezone) ? timezone : "UTC";
  const now = DateTime.fromJSDate(at, { zone });
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  const crossesMidnight = end.hour * 60 + end.minute <= start.hour * 60 + start.minute;
  // A window that started yesterday may still be open today.
  for (const daysBack of crossesMidnight ? [1, 0] : [0]) {
    const day = now.startOf("day").minus({ days: daysBack });
    if (quiet.weekdays && !quiet.weekdays.includes(WEEKDAYS[day.weekday - 1]!)) continue;
    const opens = day.set(start);
    const closes = (crossesMidnight ? day.plus({ days: 1 }) : day).set(end);
    if (now >= opens && now < closes) return closes.toUTC().toJSDate();
  }
  return null;
}

const MAX_REMEMBERED = 10_000;
let remembered: { at: number; ends: Map<string, Date | null> } = { at: Number.NaN, ends: new Map() };

/**
 * quietHoursEnd, remembering the answers for the latest instant asked about:
 * a page of users shares a few zones and windows, so luxon runs for each of
 * those, not for each user (a page is decided synchronously, one instant).
 */
export function rememberedQuietHoursEnd(quiet: QuietHours, channelType: ChannelType, at: Date, timezone: string | null): Date | null {
  if (!quiet.channelTypes.includes(channelType)) return null;
  if (remembered.at !== at.getTime() || remembered.ends.size > MAX_REMEMBERED) remembered = { at: at.getTime(), ends: new Map() };
  const key = `${timezone}|${quiet.start}|${quiet.end}|${quiet.weekdays ? quiet.weekdays.join() : "*"}`;
  let end = remembered.ends.get(key);
  if (end === undefined) {
    end = windowEnd(quiet, at, timezone);
    remembered.ends.set(key, end);
  }
  return end;
}
