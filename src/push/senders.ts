import pLimit, { type LimitFunction } from "p-limit";
import type { EncryptionKey } from "../auth/encryption-at-rest.ts";
import type { PushConfig } from "../config.ts";
import { ApnsClient } from "./apns.ts";
import type { ConfiguredChannel } from "./channel-credentials.ts";
import { FcmClient } from "./fcm.ts";
import { WebPushClient } from "./web-push.ts";

type Client = ApnsClient | FcmClient | WebPushClient;

/**
 * The process's push machinery: one client per configured channel (its
 * connections and provider tokens live as long as its credentials do), one
 * bound on sends in flight across all requests, and the credentials key.
 */
export class PushSenders {
  readonly limit: LimitFunction;
  private readonly clients = new Map<string, { fingerprint: string; client: Client }>();

  constructor(
    readonly config: PushConfig,
    readonly encryptionKey: EncryptionKey,
  ) {
    this.limit = pLimit(config.concurrency);
  }

  apns(channel: Extract<ConfiguredChannel, { provider: "APNS" }>): ApnsClient {
    return this.client(
      channel,
      () => new ApnsClient(channel.credentials, { production: this.config.apnsProductionUrl, sandbox: this.config.apnsSandboxUrl }),
    );
  }

  fcm(channel: Extract<ConfiguredChannel, { provider: "FCM" }>): FcmClient {
    return this.client(channel, () => new FcmClient(channel.credentials, this.config.fcmUrl));
  }

  webPush(channel: Extract<ConfiguredChannel, { provider: "WEB_PUSH" }>): WebPushClient {
    return this.client(channel, () => new WebPushClient(channel.credentials, this.config.concurrency));
  }

  private client<C extends Client>(channel: ConfiguredChannel, make: () => C): C {
    const cached = this.clients.get(channel.id);
    if (cached?.fingerprint === channel.fingerprint) return cached.client as C;
    // New credentials: the old client's connections and tokens go with the old ones.
    cached?.client.close();
    const client = make();
    this.clients.set(channel.id, { fingerprint: channel.fingerprint, client });
    return client;
  }
}
