import type { JsonObject } from "../../json.ts";
import { storableJsonObject } from "../../validation/storable.ts";

/** The contract's bound on a user's custom properties, as UTF-8 JSON. */
export const MAX_PROPERTIES_BYTES = 64 * 1024;

export const propertiesTooLarge = (properties: JsonObject) => Buffer.byteLength(JSON.stringify(properties)) > MAX_PROPERTIES_BYTES;

export const propertiesPatch = storableJsonObject(MAX_PROPERTIES_BYTES);

export type PropertiesUpdate = {
  /** Deep-merged; null at any depth removes a key; null as a whole clears every property. */
  properties?: JsonObject | null;
  /** Top-level keys written only where the user has none and `properties` names none. */
  propertiesOnce?: JsonObject | null;
};

const isObject = (value: unknown): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * `patch` merged into `base`: objects merge key by key at every depth, arrays
 * and scalars replace, and a key set to null is removed (an object left
 * empty stays `{}`). Neither argument is changed.
 */
export function deepMerge(base: JsonObject, patch: JsonObject): JsonObject {
  // A Map, so that keys such as "__proto__" stay plain keys.
  const merged = new Map(Object.entries(base));
  for (const [key, value] of Object.entries(patch)) {
    const prior = merged.get(key);
    if (value === null) merged.delete(key);
    else if (isObject(value)) merged.set(key, deepMerge(isObject(prior) ? prior : {}, value));
    else merged.set(key, value);
  }
  return Object.fromEntries(merged);
}

/** A user's properties after an upsert's `properties` and `propertiesOnce`. */
export function mergeUserProperties(current: JsonObject, { properties, propertiesOnce }: PropertiesUpdate): JsonObject {
  if (properties === undefined && propertiesOnce == null) return current;
  const merged = properties === null ? {} : deepMerge(current, properties ?? {});
  const once = Object.entries(propertiesOnce ?? {}).filter(
    ([key, value]) => value !== null && !Object.hasOwn(current, key) && !(properties && Object.hasOwn(properties, key)),
  );
  // Merging into nothing drops nulls nested in the new values, as `properties` does.
  return once.length === 0 ? merged : deepMerge(merged, Object.fromEntries(once));
}
