import { LRUCache } from "lru-cache";
import UAParser from "ua-parser-js";

/** A device, operating system, browser or app as sessions keep it: only the parts known. */
export type Device = { manufacturer?: string; model?: string; type?: string };
export type NamedVersion = { name?: string; version?: string };
export type App = NamedVersion & { build?: string };

export type ClientInfo = { device: Device | null; os: NamedVersion | null; browser: NamedVersion | null };

/** The object without its undefined and null parts, or null when nothing is left. */
export function known<Value extends object>(value: Value): Value | null {
  const parts = Object.entries(value).filter(([, part]) => part != null && part !== "");
  return parts.length > 0 ? (Object.fromEntries(parts) as Value) : null;
}

const NOTHING: ClientInfo = Object.freeze({ device: null, os: null, browser: null });

/**
 * User agents parsed lately. A client sends the same one with every activity
 * and most users share a few, while parsing one runs some hundred regular
 * expressions: a hit costs a lookup instead.
 */
const parsed = new LRUCache<string, ClientInfo>({ max: 1000 });

/** What a User-Agent header says of the device, operating system and browser (ua-parser-js); shared, not to be changed. */
export function parseUserAgent(userAgent: string | null | undefined): ClientInfo {
  if (!userAgent) return NOTHING;
  let info = parsed.get(userAgent);
  if (!info) {
    const { device, os, browser } = new UAParser(userAgent).getResult();
    info = Object.freeze({
      device: known({ manufacturer: device.vendor, model: device.model, type: device.type }),
      os: known({ name: os.name, version: os.version }),
      browser: known({ name: browser.name, version: browser.version }),
    });
    parsed.set(userAgent, info);
  }
  return info;
}
