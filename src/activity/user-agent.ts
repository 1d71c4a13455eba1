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

/** What a User-Agent header says of the device, operating system and browser (ua-parser-js). */
export function parseUserAgent(userAgent: string | null | undefined): ClientInfo {
  if (!userAgent) return { device: null, os: null, browser: null };
  const { device, os, browser } = new UAParser(userAgent).getResult();
  return {
    device: known({ manufacturer: device.vendor, model: device.model, type: device.type }),
    os: known({ name: os.name, version: os.version }),
    browser: known({ name: browser.name, version: browser.version }),
  };
}
