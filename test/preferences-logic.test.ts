import { describe, expect, test } from "vitest";
import type { ValidationError } from "../src/errors.ts";
import { conditionHolds } from "../src/preferences/conditions.ts";
import { type DecidingUser, decide, type Send } from "../src/preferences/decide.ts";
import { destinationsOf, type ReachableUser } from "../src/preferences/destinations.ts";
import {
  emptyDocument,
  mergePreferences,
  type PreferenceDocument,
  type PreferenceSetInput,
  parsePreferenceInput,
} from "../src/preferences/preference-document.ts";
import { quietHoursEnd } from "../src/preferences/quiet-hours.ts";

// The send-time decision as pure functions, without a database.

const user: DecidingUser = {
  status: "ACTIVE",
  timezone: null,
  unsubscribedEmail: false,
  unsubscribedTexting: false,
  emailSuppressionReason: null,
};
const mail = { id: "c-mail", name: "mail", provider: "EMAIL" as const };
const reachable: ReachableUser = {
  email: "ada@example.com",
  phoneNumber: "+15550100",
  slackDestination: null,
  webPushSubscriptions: [{ endpoint: "https://push.example/1", keys: {} }],
  pushTokens: [{ provider: "APNS", token: "apns-1" }],
  channelSettings: [{ channel: mail, settings: { email: "ada@work.example" } }],
};
const send: Send = {
  workflow: "w",
  categories: ["news"],
  critical: false,
  commercial: false,
  data: {},
  at: new Date("2026-06-01T12:00:00Z"),
};
const context = { recipient: { locale: "en-GB", tags: ["beta"] }, properties: { plan: "pro", seats: 12 }, data: { amount: 250 } };

const reasons = (preferences: PreferenceDocument, overrides: Partial<Send> = {}, who: DecidingUser = user) =>
  decide(who, destinationsOf(reachable), preferences, { ...send, ...overrides }, context).map(
    (decision) => `${decision.channelType}:${decision.destination ?? "-"}:${decision.reason}`,
  );
const prefs = (input: Parameters<typeof mergePreferences>[1]) => mergePreferences(emptyDocument(), input);

describe("destinationsOf", () => {
  test("one per address, by channel type; a type without any has one without a destination", () => {
    expect(destinationsOf(reachable).map((d) => [d.channelType, d.provider, d.channel?.name ?? null, d.destination])).toEqual([
      ["EMAIL", "EMAIL", null, "ada@example.com"],
      ["EMAIL", "EMAIL", "mail", "ada@work.example"],
      ["SMS", "SMS", null, "+15550100"],
      ["PUSH", "APNS", null, "apns-1"],
      ["PUSH", "WEB_PUSH", null, "https://push.example/1"],
      ["CHAT", null, null, null],
      ["IN_APP", null, null, null],
    ]);
  });
});

describe("decide", () => {
  test("everything allowed by default; no Slack destination", () => {
    expect(reasons(emptyDocument())).toEqual([
      "EMAIL:ada@example.com:ALLOWED",
      "EMAIL:ada@work.example:ALLOWED",
      "SMS:+15550100:ALLOWED",
      "PUSH:apns-1:ALLOWED",
      "PUSH:https://push.example/1:ALLOWED",
      "CHAT:-:NO_DESTINATION",
      "IN_APP:-:ALLOWED",
    ]);
  });

  test("a channel preference beats its channel type, both ways", () => {
    const optedIn = prefs({ channelTypes: [{ channelType: "EMAIL", enabled: false }], channels: [{ channelId: "c-mail", enabled: true }] });
    expect(reasons(optedIn).slice(0, 2)).toEqual(["EMAIL:ada@example.com:OPTED_OUT_CHANNEL_TYPE", "EMAIL:ada@work.example:ALLOWED"]);
    const optedOut = prefs({ channels: [{ channelId: "c-mail", enabled: false }] });
    expect(reasons(optedOut).slice(0, 2)).toEqual(["EMAIL:ada@example.com:ALLOWED", "EMAIL:ada@work.example:OPTED_OUT_CHANNEL"]);
  });

  test("a workflow rule beats its categories; among categories any false opts out", () => {
    const categoryOff = prefs({ categories: [{ key: "news", enabled: false }] });
    expect(reasons(categoryOff)[2]).toBe("SMS:+15550100:OPTED_OUT_CATEGORY");
    const workflowOn = prefs({ categories: [{ key: "news", enabled: false }], workflows: [{ key: "w", enabled: true }] });
    expect(reasons(workflowOn)[2]).toBe("SMS:+15550100:ALLOWED");
    const oneOfTwo = prefs({
      categories: [
        { key: "news", enabled: true },
        { key: "promo", channelTypes: [{ channelType: "SMS", enabled: false }] },
      ],
    });
    expect(reasons(oneOfTwo, { categories: ["news", "promo"] }).slice(2, 4)).toEqual([
      "SMS:+15550100:OPTED_OUT_CATEGORY",
      "PUSH:apns-1:ALLOWED",
    ]);
    const workflowTypeOff = prefs({ workflows: [{ key: "w", enabled: true, channelTypes: [{ channelType: "PUSH", enabled: false }] }] });
    expect(reasons(workflowTypeOff).slice(2, 5)).toEqual([
      "SMS:+15550100:ALLOWED",
      "PUSH:apns-1:OPTED_OUT_WORKFLOW",
      "PUSH:https://push.example/1:OPTED_OUT_WORKFLOW",
    ]);
  });

  test("every condition of a rule must hold, on the recipient and on data", () => {
    const rule = (conditions: { variable: string; operator: "GREATER_THAN" | "EQUAL_TO" | "CONTAINS"; argument: string }[]) =>
      prefs({ workflows: [{ key: "w", conditions }] });
    const holds = rule([
      { variable: "data.amount", operator: "GREATER_THAN", argument: "100" },
      { variable: "recipient.plan", operator: "EQUAL_TO", argument: "pro" },
      { variable: "recipient.tags", operator: "CONTAINS", argument: "beta" },
    ]);
    expect(reasons(holds)[0]).toBe("EMAIL:ada@example.com:ALLOWED");
    const fails = rule([
      { variable: "data.amount", operator: "GREATER_THAN", argument: "100" },
      { variable: "recipient.locale", operator: "EQUAL_TO", argument: "fr" },
    ]);
    expect(reasons(fails)[0]).toBe("EMAIL:ada@example.com:CONDITION_NOT_MET");
  });

  test("unsubscribe flags, commercial consent, suppression and inactivity", () => {
    const flags = { ...user, unsubscribedEmail: true, unsubscribedTexting: true };
    expect(reasons(emptyDocument(), {}, flags).slice(0, 4)).toEqual([
      "EMAIL:ada@example.com:UNSUBSCRIBED",
      "EMAIL:ada@work.example:UNSUBSCRIBED",
      "SMS:+15550100:UNSUBSCRIBED",
      "PUSH:apns-1:ALLOWED",
    ]);
    expect(reasons(emptyDocument(), { commercial: true })[3]).toBe("PUSH:apns-1:COMMERCIAL_UNSUBSCRIBED");
    expect(reasons(prefs({ commercialSubscribed: true }), { commercial: true })[3]).toBe("PUSH:apns-1:ALLOWED");
    expect(reasons(emptyDocument(), {}, { ...user, emailSuppressionReason: "BOUNCE" })[0]).toBe("EMAIL:ada@example.com:EMAIL_SUPPRESSED");
    expect(new Set(reasons(emptyDocument(), {}, { ...user, status: "SUSPENDED" }).map((r) => r.split(":").pop()))).toEqual(
      new Set(["USER_INACTIVE"]),
    );
  });

  test("a critical workflow overrides preferences and quiet hours, never suppression, missing destinations or inactivity", () => {
    const everythingOff = prefs({
      channelTypes: [{ channelType: "PUSH", enabled: false }],
      workflows: [{ key: "w", enabled: false }],
      quietHours: { start: "00:00", end: "23:59" },
    });
    const who = { ...user, unsubscribedTexting: true, emailSuppressionReason: "COMPLAINT" as const };
    expect(reasons(everythingOff, { critical: true }, who)).toEqual([
      "EMAIL:ada@example.com:EMAIL_SUPPRESSED",
      "EMAIL:ada@work.example:EMAIL_SUPPRESSED",
      "SMS:+15550100:CRITICAL_OVERRIDE",
      "PUSH:apns-1:CRITICAL_OVERRIDE",
      "PUSH:https://push.example/1:CRITICAL_OVERRIDE",
      "CHAT:-:NO_DESTINATION",
      "IN_APP:-:CRITICAL_OVERRIDE",
    ]);
    expect(reasons(emptyDocument(), { critical: true }, { ...user, status: "DEACTIVATED" })[0]).toBe("EMAIL:ada@example.com:USER_INACTIVE");
  });

  test("quiet hours refuse the listed channel types until the window ends", () => {
    const quiet = prefs({ quietHours: { start: "11:00", end: "13:00", channelTypes: ["PUSH"] } });
    const decisions = decide(user, destinationsOf(reachable), quiet, send, context);
    expect(decisions[3]).toMatchObject({ reason: "QUIET_HOURS", allowed: false, allowedAt: new Date("2026-06-01T13:00:00Z") });
    expect(decisions[0]).toMatchObject({ reason: "ALLOWED", allowedAt: null });
  });
});

describe("quietHoursEnd", () => {
  const window = { start: "22:00", end: "07:00", weekdays: null, channelTypes: ["PUSH" as const] };
  test("across midnight, in the user's time zone", () => {
    // 23:30 and 06:30 in Berlin (UTC+2 in summer) are inside; 07:30 is not.
    expect(quietHoursEnd(window, "PUSH", new Date("2026-06-01T21:30:00Z"), "Europe/Berlin")).toEqual(new Date("2026-06-02T05:00:00Z"));
    expect(quietHoursEnd(window, "PUSH", new Date("2026-06-02T04:30:00Z"), "Europe/Berlin")).toEqual(new Date("2026-06-02T05:00:00Z"));
    expect(quietHoursEnd(window, "PUSH", new Date("2026-06-02T05:30:00Z"), "Europe/Berlin")).toBeNull();
    expect(quietHoursEnd(window, "EMAIL", new Date("2026-06-01T21:30:00Z"), "Europe/Berlin")).toBeNull();
  });

  test("across a DST change the window ends at the wall-clock time", () => {
    // New York springs forward on 2026-03-08: 07:00 that morning is EDT (UTC-4), not EST.
    expect(quietHoursEnd(window, "PUSH", new Date("2026-03-08T06:30:00Z"), "America/New_York")).toEqual(new Date("2026-03-08T11:00:00Z"));
    // And falls back on 2026-11-01: 07:00 is EST (UTC-5) again.
    expect(quietHoursEnd(window, "PUSH", new Date("2026-11-01T05:30:00Z"), "America/New_York")).toEqual(new Date("2026-11-01T12:00:00Z"));
  });

  test("weekdays name the day a window starts; no or an unknown time zone is UTC", () => {
    const mondays = { ...window, weekdays: ["MONDAY" as const] };
    // Monday 2026-06-01 23:00 UTC opens Monday's window; Tuesday 03:00 is still in it; Tuesday 23:00 is not.
    expect(quietHoursEnd(mondays, "PUSH", new Date("2026-06-01T23:00:00Z"), null)).toEqual(new Date("2026-06-02T07:00:00Z"));
    expect(quietHoursEnd(mondays, "PUSH", new Date("2026-06-02T03:00:00Z"), "Not/AZone")).toEqual(new Date("2026-06-02T07:00:00Z"));
    expect(quietHoursEnd(mondays, "PUSH", new Date("2026-06-02T23:00:00Z"), null)).toBeNull();
  });
});

describe("conditionHolds", () => {
  const holds = (variable: string, operator: Parameters<typeof conditionHolds>[0]["operator"], argument: string | null = null) =>
    conditionHolds({ variable, operator, argument }, context);
  test("each operator", () => {
    expect(holds("data.amount", "EQUAL_TO", "250")).toBe(true);
    expect(holds("data.amount", "NOT_EQUAL_TO", "250")).toBe(false);
    expect(holds("recipient.seats", "GREATER_THAN", "9")).toBe(true); // numbers compare as numbers, not "12" < "9"
    expect(holds("recipient.seats", "LESS_THAN", "9")).toBe(false);
    expect(holds("data.amount", "GREATER_THAN_OR_EQUAL_TO", "250")).toBe(true);
    expect(holds("data.amount", "LESS_THAN_OR_EQUAL_TO", "249")).toBe(false);
    expect(holds("recipient.locale", "CONTAINS", "en")).toBe(true);
    expect(holds("recipient.tags", "NOT_CONTAINS", "beta")).toBe(false);
    expect(holds("data.missing", "EMPTY")).toBe(true);
    expect(holds("recipient.plan", "NOT_EMPTY")).toBe(true);
    expect(holds("data.missing", "GREATER_THAN", "0")).toBe(false);
  });
});

describe("parsePreferenceInput", () => {
  const problems = (input: unknown, known: string[] = []) => {
    try {
      parsePreferenceInput(input as PreferenceSetInput, new Set(known));
      return [];
    } catch (error) {
      return (error as ValidationError).fields.map(({ field, reason }) => `${field} ${reason}`).sort();
    }
  };

  test("strict: unknown fields, wrong types, NUL and oversized lists are reported together under dotted paths", () => {
    expect(
      problems({
        extra: true,
        commercialSubscribed: "yes",
        categories: [
          { key: "a\u0000b", enabled: true },
          { key: "ok", conditions: Array.from({ length: 21 }, () => ({ variable: "data.x", operator: "EMPTY" })) },
          { key: "ok", conditions: [{ variable: "data.x", operator: "NOPE" }] },
        ],
        workflows: Array.from({ length: 201 }, (_, index) => ({ key: `w${index}` })),
        quietHours: { start: "07:00", end: "07:00", channelTypes: ["FAX"] },
      }),
    ).toEqual([
      "categories.0.key invalid",
      "categories.1.conditions too_many",
      "categories.2.conditions.0.operator invalid",
      "categories.2.key conflict",
      "commercialSubscribed invalid",
      "extra unknown",
      "quietHours.channelTypes.0 invalid",
      "quietHours.end invalid",
      "workflows too_many",
    ]);
  });

  test("values of the wrong shape are problems, not crashes", () => {
    expect(
      problems({ channels: "x", channelTypes: [null], categories: 5, workflows: [{ key: "k", conditions: [null] }], quietHours: "y" }),
    ).toEqual([
      "categories invalid",
      "channelTypes.0 invalid",
      "channels invalid",
      "quietHours invalid",
      "workflows.0.conditions.0 invalid",
    ]);
  });

  test("channel ids must be the project's, once each; a valid input parses to what merges", () => {
    const known = "0b7f1c9e-0000-4000-8000-000000000001";
    expect(
      problems(
        {
          channels: [
            { channelId: known, enabled: true },
            { channelId: known, enabled: false },
            { channelId: "nope", enabled: false },
          ],
        },
        [known],
      ),
    ).toEqual(["channels.1.channelId conflict", "channels.2.channelId unknown"]);
    expect(parsePreferenceInput({ categories: [{ key: "news", enabled: null }] }, new Set())).toEqual({
      categories: [{ key: "news", enabled: null }],
    });
  });
});
