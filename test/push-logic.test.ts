import { randomBytes } from "node:crypto";
import { describe, expect, test } from "vitest";
import { decryptAtRest, encryptAtRest } from "../src/auth/encryption-at-rest.ts";
import { apnsPayload } from "../src/push/apns.ts";
import { fcmMessage } from "../src/push/fcm.ts";
import { notificationOf } from "../src/push/notification.ts";
import type { Outcome } from "../src/push/outcome.ts";
import { byStatus, retryAfterMs } from "../src/push/outcome.ts";
import { withRetries } from "../src/push/retry.ts";

// The push domain's plain logic, without providers or a database.

describe("credential cipher", () => {
  const key = randomBytes(32);
  const channel = "3f1d6c2a-0000-4000-8000-000000000001";

  test("round-trips, and each encryption differs (random IV)", () => {
    const first = encryptAtRest(key, channel, '{"teamId":"T"}');
    expect(first).not.toBe(encryptAtRest(key, channel, '{"teamId":"T"}'));
    expect(decryptAtRest(key, channel, first)).toBe('{"teamId":"T"}');
  });

  test("refuses another key, another channel (associated data) and any changed byte", () => {
    const stored = encryptAtRest(key, channel, "secret");
    expect(() => decryptAtRest(randomBytes(32), channel, stored)).toThrow();
    expect(() => decryptAtRest(key, "3f1d6c2a-0000-4000-8000-000000000002", stored)).toThrow();
    const bytes = Buffer.from(stored.slice(3), "base64url");
    bytes[bytes.length - 1]! ^= 1;
    expect(() => decryptAtRest(key, channel, `v1.${bytes.toString("base64url")}`)).toThrow();
    expect(() => decryptAtRest(key, channel, "v2.abc")).toThrow(/format/);
  });
});

describe("Retry-After and statuses", () => {
  test("seconds or an HTTP date, in milliseconds; garbage is null", () => {
    const now = Date.parse("2026-11-29T12:00:00Z");
    expect(retryAfterMs("3", now)).toBe(3000);
    expect(retryAfterMs("Sun, 29 Nov 2026 12:00:05 GMT", now)).toBe(5000);
    expect(retryAfterMs("Sun, 29 Nov 2026 11:00:00 GMT", now)).toBe(0);
    expect(retryAfterMs("soon", now)).toBeNull();
    expect(retryAfterMs(undefined, now)).toBeNull();
  });

  test("429 and 5xx are retried, other statuses fail", () => {
    expect(byStatus(429, "X", "2")).toEqual({ kind: "retry", errorCode: "X", retryAfterMs: 2000 });
    expect(byStatus(503, "X", undefined)).toEqual({ kind: "retry", errorCode: "X", retryAfterMs: null });
    expect(byStatus(403, "X", "2")).toEqual({ kind: "failed", errorCode: "X" });
  });
});

describe("withRetries", () => {
  const answers = (...outcomes: Outcome[]) => {
    let calls = 0;
    return { attempt: async () => outcomes[Math.min(calls++, outcomes.length - 1)]!, calls: () => calls };
  };

  test("stops at the first answer that is not a retry, at most three attempts", async () => {
    const flaky = answers({ kind: "retry", errorCode: "E", retryAfterMs: 0 }, { kind: "sent", messageId: "m" });
    expect(await withRetries(flaky.attempt, { deadline: Date.now() + 1000, attemptTimeoutMs: 100 })).toEqual({
      outcome: { kind: "sent", messageId: "m" },
      attempts: 2,
    });
    const down = answers({ kind: "retry", errorCode: "DOWN", retryAfterMs: 0 });
    expect(await withRetries(down.attempt, { deadline: Date.now() + 1000, attemptTimeoutMs: 100 })).toEqual({
      outcome: { kind: "failed", errorCode: "DOWN" },
      attempts: 3,
    });
  });

  test("does not begin a wait that would end past the deadline", async () => {
    const later = answers({ kind: "retry", errorCode: "LATER", retryAfterMs: 60_000 });
    const started = Date.now();
    expect(await withRetries(later.attempt, { deadline: Date.now() + 1000, attemptTimeoutMs: 100 })).toEqual({
      outcome: { kind: "failed", errorCode: "LATER" },
      attempts: 1,
    });
    expect(Date.now() - started).toBeLessThan(100);
  });

  test("each attempt gets what is left of the deadline, if less than its timeout", async () => {
    const timeouts: number[] = [];
    await withRetries(
      async (timeoutMs) => {
        timeouts.push(timeoutMs);
        return { kind: "sent", messageId: null };
      },
      { deadline: Date.now() + 50, attemptTimeoutMs: 10_000 },
    );
    expect(timeouts[0]).toBeLessThanOrEqual(50);
  });
});

describe("payloads", () => {
  const notification = notificationOf({ title: "T", data: { n: 1, s: "x", o: { a: true } }, priority: "NORMAL" });

  test("APNs: data beside aps; no empty keys", () => {
    expect(JSON.parse(apnsPayload(notification))).toEqual({ n: 1, s: "x", o: { a: true }, aps: { alert: { title: "T" } } });
  });

  test("FCM: data values as strings, as FCM requires", () => {
    expect(JSON.parse(fcmMessage("tok", notification)).message).toEqual({
      token: "tok",
      notification: { title: "T" },
      data: { n: "1", s: "x", o: '{"a":true}' },
      android: { priority: "NORMAL" },
    });
  });
});
