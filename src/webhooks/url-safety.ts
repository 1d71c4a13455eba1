import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";

// Webhook URLs are chosen by API callers, so the gateway must not become a way
// into its own network (SSRF): only https, and only public addresses, checked
// when an endpoint is saved and again on every connection (DNS may change).

/** Whether the address is one a webhook may reach: public unicast, not loopback, private, link-local or reserved. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === "unicast";
}

/** Why a URL may not be a webhook's, or undefined when it may. `allowPrivate` also admits http. */
export function urlProblem(url: string, allowPrivate: boolean): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not a URL";
  }
  if (url.length > 2048) return "is longer than 2048 characters";
  if (parsed.username || parsed.password) return "must not carry credentials";
  if (parsed.protocol !== "https:" && !(allowPrivate && parsed.protocol === "http:")) return "must be https";
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  if (!allowPrivate && ipaddr.isValid(host) && !isPublicAddress(host)) return "must not be a loopback, private or link-local address";
  if (!allowPrivate && (host === "localhost" || host.endsWith(".localhost"))) return "must not be a loopback address";
  return undefined;
}

export class PrivateAddressError extends Error {
  readonly code = "EPRIVATEADDRESS";
}

/** A DNS lookup for outgoing requests that refuses names resolving to non-public addresses, at connection time. */
export function publicOnlyLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, "", 0);
      const refused = allowPrivate ? undefined : addresses.find(({ address }) => !isPublicAddress(address));
      if (refused) return callback(new PrivateAddressError(`${hostname} resolves to ${refused.address}, not a public address`), "", 0);
      if (options.all) return (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, addresses);
      const [first] = addresses;
      if (!first) return callback(new Error(`${hostname} has no address`), "", 0);
      callback(null, first.address, first.family);
    });
  };
}
