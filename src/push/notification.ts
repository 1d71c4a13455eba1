import { z } from "zod";
import type { JsonObject } from "../json.ts";
import { httpsUrl, plainText, storableText } from "../validation/formats.ts";

export const PUSH_PRIORITIES = ["HIGH", "NORMAL"] as const;
export const MAX_RECIPIENTS = 1000;
const MAX_DATA_BYTES = 2048;
// Apple's and Google's limits: 28 days (FCM) is the longer.
const MAX_TTL_SECONDS = 28 * 24 * 60 * 60;

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

export const notificationSchema = z.strictObject({
  title: plainText(200).min(1, "must not be empty"),
  body: storableText.max(2000, "must be at most 2000 characters").nullish(),
  imageUrl: httpsUrl.nullish(),
  data: z
    .record(z.string(), z.unknown())
    .refine((data) => jsonBytes(data) <= MAX_DATA_BYTES, `must be at most ${MAX_DATA_BYTES} bytes of JSON`)
    .nullish(),
  badge: z.number().int().min(0).max(99_999).nullish(),
  sound: plainText(100).min(1, "must not be empty").nullish(),
  ttlSeconds: z.number().int().min(0).max(MAX_TTL_SECONDS).nullish(),
  // The characters and length Web Push allows for a Topic; APNs and FCM take them too.
  collapseKey: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, "must be 1–32 letters, digits, - or _")
    .nullish(),
  priority: z.enum(PUSH_PRIORITIES).nullish(),
});

export const sendPushSchema = z.strictObject({
  userIds: z
    .array(z.string())
    .min(1, "must name at least one user")
    .max(MAX_RECIPIENTS, `must name at most ${MAX_RECIPIENTS} users`)
    .transform((ids) => [...new Set(ids)]),
  notification: notificationSchema,
  workflow: plainText(200).min(1).nullish(),
  category: plainText(200).min(1).nullish(),
});

export const sendPushOptionsSchema = z.strictObject({
  idempotencyKey: plainText(255).min(1, "must not be empty").nullish(),
});

export type SendPushInput = z.input<typeof sendPushSchema>;
export type SendPushOptions = z.input<typeof sendPushOptionsSchema>;
export type NotificationInput = z.input<typeof notificationSchema>;

/** A notification as the provider clients read it. */
export type Notification = {
  title: string;
  body: string | null;
  imageUrl: string | null;
  data: JsonObject;
  badge: number | null;
  sound: string | null;
  ttlSeconds: number | null;
  collapseKey: string | null;
  priority: "HIGH" | "NORMAL";
};

export function notificationOf(input: z.output<typeof notificationSchema>): Notification {
  return {
    title: input.title,
    body: input.body ?? null,
    imageUrl: input.imageUrl ?? null,
    data: input.data ?? {},
    badge: input.badge ?? null,
    sound: input.sound ?? null,
    ttlSeconds: input.ttlSeconds ?? null,
    collapseKey: input.collapseKey ?? null,
    priority: input.priority ?? "HIGH",
  };
}

/** When the notification stops being worth delivering, in seconds since the epoch; null: the provider's default. */
export const expiresAt = (notification: Notification, now: number): number | null =>
  notification.ttlSeconds === null ? null : Math.floor(now / 1000) + notification.ttlSeconds;
