import { describe, expect, test } from "vitest";
import { ValidationError, VersionConflictError } from "../src/errors.ts";
import { applyUpsert, blankUser } from "../src/users/write/apply-upsert.ts";
import { requestHash } from "../src/users/write/idempotency.ts";
import { deepMerge, mergeUserProperties } from "../src/users/write/properties.ts";
import { assignTokenOwners, mergeDuplicateTokens } from "../src/users/write/push-tokens.ts";
import { editTags } from "../src/users/write/tags.ts";
import { parseUpsert } from "../src/users/write/upsert-input.ts";

// The merge rules as plain functions, without a database.

describe("deepMerge and mergeUserProperties", () => {
  test("objects merge at every depth, arrays and scalars replace, null removes", () => {
    const base = { a: 1, nested: { keep: true, drop: 1, deeper: { x: 1 } }, list: [1, 2] };
    const merged = deepMerge(base, { a: 2, nested: { drop: null, deeper: { y: 2 } }, list: [3], added: { z: null } });
    expect(merged).toEqual({ a: 2, nested: { keep: true, deeper: { x: 1, y: 2 } }, list: [3], added: {} });
    expect(base.nested).toEqual({ keep: true, drop: 1, deeper: { x: 1 } });
  });

  test("a key named __proto__ is a plain key", () => {
    const patch = JSON.parse('{"__proto__": {"polluted": true}}');
    const merged = deepMerge({}, patch);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.keys(merged)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test("null as a whole clears; propertiesOnce fills only keys the user and `properties` lack", () => {
    expect(mergeUserProperties({ a: 1 }, { properties: null })).toEqual({});
    expect(
      mergeUserProperties(
        { had: 1 },
        { properties: { named: null }, propertiesOnce: { had: 2, named: 2, fresh: { v: 1, n: null }, skipped: null } },
      ),
    ).toEqual({ had: 1, fresh: { v: 1 } });
    // Only the user's own keys count, not those every object inherits.
    expect(mergeUserProperties({}, { propertiesOnce: { toString: "a plain key" } })).toEqual({ toString: "a plain key" });
  });
});

describe("editTags", () => {
  test("tags replace, null clears, addTags then removeTags edit", () => {
    expect(editTags(["a"], { tags: ["b"] })).toEqual(["b"]);
    expect(editTags(["a"], { tags: null })).toEqual([]);
    expect(editTags(["a", "b"], { addTags: ["c", "a"], removeTags: ["b", "c"] })).toEqual(["a"]);
    expect(editTags(["a"], {})).toEqual(["a"]);
  });
});

describe("push tokens", () => {
  test("duplicates merge where they first appear; later fields fill in", () => {
    expect(
      mergeDuplicateTokens([
        { provider: "FCM", token: "t", environment: "SANDBOX" },
        { provider: "APNS", token: "t" },
        { provider: "FCM", token: "t", device: { os: "android" } },
      ]),
    ).toEqual([
      { provider: "FCM", token: "t", environment: "SANDBOX", device: { os: "android" } },
      { provider: "APNS", token: "t", environment: null, device: null },
    ]);
  });

  test("a token claimed by two users of a batch stays with the later one", () => {
    const token = (t: string) => ({ provider: "FCM" as const, token: t, environment: null, device: null });
    const owners = assignTokenOwners(
      new Map([
        ["u1", [token("shared"), token("a")]],
        ["u2", [token("shared")]],
      ]),
    );
    expect(owners).toEqual(
      new Map([
        ["u1", [token("a")]],
        ["u2", [token("shared")]],
      ]),
    );
  });
});

describe("parseUpsert", () => {
  test("normalises values and turns null into the default of non-null fields", () => {
    const parsed = parseUpsert("u", {
      phoneNumber: "+1 (415) 555-2671",
      locale: "EN-us",
      timezone: "america/new_york",
      tags: [" a", "a ", "b"],
      unsubscribedEmail: null,
      webPushSubscriptions: null,
      pushTokens: [{ provider: "FCM", token: " padded " }],
    });
    expect(parsed).toMatchObject({
      phoneNumber: "+14155552671",
      locale: "en-US",
      timezone: "America/New_York",
      tags: ["a", "b"],
      unsubscribedEmail: false,
      webPushSubscriptions: [],
      pushTokens: [{ provider: "FCM", token: "padded", environment: null, device: null }],
      options: { touchLastSeen: true },
    });
    expect(parsed).not.toHaveProperty("email");
  });

  test("slackDestination takes a name, #name, C… id, U… id or @username, nothing else", () => {
    for (const valid of ["general", "#dev-team", "C0123ABCDE", "U0123ABCDE", "@ada"]) {
      expect(parseUpsert("u", { slackDestination: valid }).slackDestination).toBe(valid);
    }
    for (const invalid of ["", "#", "General", "# spaced", "@", "x".repeat(81)]) {
      expect(() => parseUpsert("u", { slackDestination: invalid })).toThrow(ValidationError);
    }
  });
});

describe("applyUpsert", () => {
  const now = new Date("2030-01-01T00:00:00Z");
  const later = new Date("2030-01-02T00:00:00Z");
  const created = applyUpsert(blankUser("p", "u", now), parseUpsert("u", { name: "A", createdAt: new Date(0) }), now);

  test("a new user gets version 1, its createdAt, and lastSeenAt now", () => {
    expect(created.row).toMatchObject({ version: 1, name: "A", createdAt: new Date(0), lastSeenAt: now, updatedAt: now });
  });

  test("an upsert that changes nothing returns the same state", () => {
    const same = parseUpsert("u", { name: "A", createdAt: new Date(5) }, { touchLastSeen: false });
    expect(applyUpsert(created, same, later)).toBe(created);
  });

  test("a change grows the version by one and keeps createdAt", () => {
    const changed = applyUpsert(created, parseUpsert("u", { name: "B", createdAt: new Date(5) }), later);
    expect(changed.row).toMatchObject({ version: 2, name: "B", createdAt: new Date(0), updatedAt: later, lastSeenAt: later });
  });

  test("a wrong expectedVersion throws VersionConflictError with the current version", () => {
    expect(() => applyUpsert(created, parseUpsert("u", {}, { expectedVersion: 3 }), later)).toThrow(new VersionConflictError(1));
  });

  test("merged tags beyond 100 and properties beyond 64 KiB are reported together", () => {
    const full = applyUpsert(
      blankUser("p", "u", now),
      parseUpsert("u", { tags: Array.from({ length: 100 }, (_, i) => `t${i}`), properties: { a: "x".repeat(40_000) } }),
      now,
    );
    const attempt = () => applyUpsert(full, parseUpsert("u", { addTags: ["one-more"], propertiesOnce: { b: "y".repeat(40_000) } }), later);
    expect(attempt).toThrow(ValidationError);
    try {
      attempt();
    } catch (error) {
      expect((error as ValidationError).fields.map(({ field, reason }) => [field, reason])).toEqual([
        ["addTags", "too_many"],
        ["propertiesOnce", "too_long"],
      ]);
    }
  });
});

describe("requestHash", () => {
  test("ignores the order of object keys, not the order of list items", () => {
    expect(requestHash({ a: 1, b: { c: 2, d: [1, 2] } })).toBe(requestHash({ b: { d: [1, 2], c: 2 }, a: 1 }));
    expect(requestHash({ a: [1, 2] })).not.toBe(requestHash({ a: [2, 1] }));
    expect(requestHash({ a: null })).not.toBe(requestHash({}));
  });
});
