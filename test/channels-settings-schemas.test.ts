import { describe, expect, test } from "vitest";
import { parseProviderSettings } from "../src/channels/settings-schemas.ts";
import { ValidationError } from "../src/errors.ts";

// Unit tests of the per-provider settings schemas: no database, no server.

/** The problems found in `settings` as `field → reason`, or the parsed value when there are none. */
function problems(provider: Parameters<typeof parseProviderSettings>[0], settings: unknown) {
  try {
    return { parsed: parseProviderSettings(provider, settings) };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return Object.fromEntries(error.fields.map(({ field, reason }) => [field, reason]));
  }
}

const P256DH = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM";
const AUTH = "tBHItJI5svbpez7KI4CCXg";

describe.each(["APNS", "FCM"] as const)("%s", (provider) => {
  test("tokens are trimmed and deduplicated in order of first appearance", () => {
    expect(problems(provider, { device_tokens: [" a ", "b", "a", "c", "b"] })).toEqual({
      parsed: { device_tokens: ["a", "b", "c"] },
    });
  });

  test("a token is 1–4096 characters; a wrong type is invalid, not missing", () => {
    expect(problems(provider, { device_tokens: ["x".repeat(4096), "  ", "x".repeat(4097), null, 1] })).toEqual({
      "settings.device_tokens.1": "invalid",
      "settings.device_tokens.2": "too_long",
      "settings.device_tokens.3": "invalid",
      "settings.device_tokens.4": "invalid",
    });
  });

  test("at least one and at most 100 distinct tokens", () => {
    const tokens = (count: number) => Array.from({ length: count }, (_, i) => `token-${i}`);
    expect(problems(provider, { device_tokens: [] })).toEqual({ "settings.device_tokens": "invalid" });
    expect(problems(provider, { device_tokens: tokens(101) })).toEqual({ "settings.device_tokens": "too_many" });
    expect(problems(provider, { device_tokens: [...tokens(100), ...tokens(100)] })).toEqual({
      parsed: { device_tokens: tokens(100) },
    });
  });

  test("device_tokens is required, other keys are unknown", () => {
    expect(problems(provider, { tokens: ["a"] })).toEqual({
      "settings.device_tokens": "required",
      "settings.tokens": "unknown",
    });
  });
});

describe("SLACK", () => {
  test.each([
    [{ slack_channel_id: "C024BE91L" }],
    [{ slack_channel_id: "G024BE91L" }],
    [{ slack_user_id: "U024BE7LH" }],
    [{ slack_user_id: "W012A3CDE" }],
    [{ slack_channel_id: "C0123ABCDEF", slack_user_id: "U0123ABCDEF" }],
  ])("accepts %j", (settings) => {
    expect(problems("SLACK", settings)).toEqual({ parsed: settings });
  });

  test.each([
    [{}, { settings: "required" }],
    [{ slack_channel_id: "U024BE7LH" }, { "settings.slack_channel_id": "invalid" }],
    [{ slack_channel_id: "c024be91l" }, { "settings.slack_channel_id": "invalid" }],
    [{ slack_channel_id: "C1" }, { "settings.slack_channel_id": "invalid" }],
    [{ slack_user_id: "@ada" }, { "settings.slack_user_id": "invalid" }],
    [{ slack_user_id: null }, { "settings.slack_user_id": "invalid" }],
    [{ slack_user_id: "U024BE7LH", webhook: "https://hooks.slack.com/x" }, { "settings.webhook": "unknown" }],
  ])("rejects %j", (settings, expected) => {
    expect(problems("SLACK", settings)).toEqual(expected);
  });
});

describe("WEB_PUSH", () => {
  test("accepts subscriptions with an https endpoint and unpadded base64url keys", () => {
    const settings = {
      subscriptions: [{ endpoint: "https://push.example.com/a", keys: { p256dh: P256DH, auth: AUTH } }],
    };
    expect(problems("WEB_PUSH", settings)).toEqual({ parsed: settings });
  });

  test("reports every problem of every subscription at its path", () => {
    expect(
      problems("WEB_PUSH", {
        subscriptions: [
          { endpoint: "ftp://push.example.com", keys: { p256dh: `${P256DH}=`, auth: "a+b/" } },
          { keys: {} },
          "https://push.example.com",
        ],
        vapid: true,
      }),
    ).toEqual({
      "settings.subscriptions.0.endpoint": "invalid",
      "settings.subscriptions.0.keys.p256dh": "invalid",
      "settings.subscriptions.0.keys.auth": "invalid",
      "settings.subscriptions.1.endpoint": "required",
      "settings.subscriptions.1.keys.p256dh": "required",
      "settings.subscriptions.1.keys.auth": "required",
      "settings.subscriptions.2": "invalid",
      "settings.vapid": "unknown",
    });
  });

  test("at least one subscription", () => {
    expect(problems("WEB_PUSH", { subscriptions: [] })).toEqual({ "settings.subscriptions": "invalid" });
    expect(problems("WEB_PUSH", {})).toEqual({ "settings.subscriptions": "required" });
  });
});

describe("EMAIL and SMS", () => {
  test("an email address is trimmed and checked", () => {
    expect(problems("EMAIL", { email: " grace@example.com" })).toEqual({ parsed: { email: "grace@example.com" } });
    expect(problems("EMAIL", { email: "grace@@example.com" })).toEqual({ "settings.email": "invalid" });
  });

  test("a phone number is stored in E.164", () => {
    expect(problems("SMS", { phone_number: "+44 20 7946 0958" })).toEqual({
      parsed: { phone_number: "+442079460958" },
    });
    expect(problems("SMS", { phone_number: "+1 555" })).toEqual({ "settings.phone_number": "invalid" });
    expect(problems("SMS", { phone: "+442079460958" })).toEqual({
      "settings.phone_number": "required",
      "settings.phone": "unknown",
    });
  });
});
