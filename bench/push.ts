// npm run bench:push — one notification fanned out to 10,000 devices through
// the gateway's sendPush (the gateway in its own process, as `npm start` runs
// it, on a throwaway PostgreSQL database) against a minimal raw client loop
// over the same loopback providers, in the same run. See bench/RESULTS.md.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { connect } from "node:http2";
import { Agent } from "node:https";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { importPKCS8, SignJWT } from "jose";
import pLimit from "p-limit";
import webpush from "web-push";
import { generateKey } from "../src/auth/keys.ts";
import { readCommandLineOrExit } from "../src/command-line.ts";
import { adminQuery, databaseUrl } from "../src/db/server-admin.ts";
import { makeLoopbackCertificate, removeLoopbackCertificate } from "../test/support/loopback-tls.ts";

const USAGE = `Usage: npm run bench:push

  Sends per second of one sendPush to 1000 users with 10 devices each, through the gateway
  against a raw client loop, over loopback APNs, FCM and Web Push fakes. The gateway runs
  on a throwaway database on BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres).
  BENCH_RUNS: timed runs per contender and scenario (default 3). Takes no arguments.`;
readCommandLineOrExit(USAGE, (args) => parseArgs({ args, options: {}, strict: true }));

const SERVER_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const USERS = 1000;
const DEVICES = 10;
const CONCURRENCY = 200;
const notification = { title: "Your order shipped", body: "It arrives on Tuesday.", data: { orderId: "o-42" } };

type Fakes = {
  apnsUrl: string;
  fcmUrl: string;
  apns: { teamId: string; keyId: string; privateKey: string; bundleId: string };
  fcm: { serviceAccount: { project_id: string; client_email: string; private_key: string; token_uri: string } };
  vapid: { vapidPublicKey: string; vapidPrivateKey: string; subject: string };
  subscriptions: { endpoint: string; keys: { p256dh: string; auth: string } }[];
};
/** What each user holds in a scenario: APNs only, or a mix of the three providers. */
type Device = { provider: "APNS" | "FCM"; token: string } | { provider: "WEB_PUSH"; subscription: Fakes["subscriptions"][number] };

function start(args: string[], env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      if (ready.test(line)) resolve({ child, line });
      // The gateway's errors and warnings (pino levels 40 and up) show; its request lines do not.
      else if (/"level":[4-6]\d/.test(line)) console.error(line);
    });
    child.on("exit", (code) => reject(new Error(`${args[0]} exited with ${code}`)));
  });
}

async function gql(url: string, key: string, query: string, variables: object = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

function devicesOf(scenario: "apns" | "mixed", user: number, fakes: Fakes): Device[] {
  return Array.from({ length: DEVICES }, (_, d): Device => {
    const token = `${scenario}-${user}-${d}-${randomBytes(16).toString("hex")}`;
    if (scenario === "apns" || d < 6) return { provider: "APNS", token };
    if (d < 9) return { provider: "FCM", token };
    return { provider: "WEB_PUSH", subscription: fakes.subscriptions[user]! };
  });
}

/** The least a client must do per message: the same requests over the same connections, no database, no records. */
async function rawClient(fakes: Fakes, ca: Buffer) {
  // This process started without NODE_EXTRA_CA_CERTS: the certificate is passed in, still verified.
  const apnsSession = connect(fakes.apnsUrl, { ca });
  const fcmSession = connect(fakes.fcmUrl, { ca });
  const now = Math.floor(Date.now() / 1000);
  const apnsJwt = await new SignJWT({})
    .setProtectedHeader({ alg: "ES256", kid: fakes.apns.keyId })
    .setIssuer(fakes.apns.teamId)
    .setIssuedAt(now)
    .sign(await importPKCS8(fakes.apns.privateKey, "ES256"));
  const { serviceAccount } = fakes.fcm;
  const assertion = await new SignJWT({ scope: "https://www.googleapis.com/auth/firebase.messaging" })
    .setProtectedHeader({ alg: "RS256" })
    .setIssuer(serviceAccount.client_email)
    .setAudience(serviceAccount.token_uri)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(await importPKCS8(serviceAccount.private_key, "RS256"));
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca });
  const vapidAuthorization = String(
    webpush.getVapidHeaders(
      new URL(fakes.subscriptions[0]!.endpoint).origin,
      fakes.vapid.subject,
      fakes.vapid.vapidPublicKey,
      fakes.vapid.vapidPrivateKey,
      "aes128gcm",
    ).Authorization,
  );
  const apnsBody = JSON.stringify({ orderId: "o-42", aps: { alert: { title: notification.title, body: notification.body } } });
  function h2(session: ReturnType<typeof connect>, headers: Record<string, string>, body: string): Promise<number>;
  function h2(session: ReturnType<typeof connect>, headers: Record<string, string>, body: string, text: true): Promise<string>;
  function h2(session: ReturnType<typeof connect>, headers: Record<string, string>, body: string, text = false) {
    return new Promise<number | string>((resolve, reject) => {
      const stream = session.request(headers);
      let status = 0;
      let received = "";
      stream.on("response", (h) => (status = Number(h[":status"])));
      stream.on("data", (chunk) => (received += chunk));
      stream.on("end", () => resolve(text ? received : status));
      stream.on("error", reject);
      stream.end(body);
    });
  }
  const token = JSON.parse(
    await h2(
      fcmSession,
      { ":method": "POST", ":path": new URL(serviceAccount.token_uri).pathname, "content-type": "application/x-www-form-urlencoded" },
      new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion }).toString(),
      true,
    ),
  ) as { access_token: string };
  const sendOne = async (device: Device) => {
    if (device.provider === "WEB_PUSH") {
      const response = await webpush.sendNotification(device.subscription, JSON.stringify(notification), {
        headers: { Authorization: vapidAuthorization },
        agent,
      });
      return response.statusCode;
    }
    if (device.provider === "APNS") {
      return h2(
        apnsSession,
        {
          ":method": "POST",
          ":path": `/3/device/${device.token}`,
          authorization: `bearer ${apnsJwt}`,
          "apns-topic": fakes.apns.bundleId,
          "apns-push-type": "alert",
        },
        apnsBody,
      );
    }
    const message = JSON.stringify({
      message: { token: device.token, notification: { title: notification.title, body: notification.body }, data: notification.data },
    });
    return h2(
      fcmSession,
      {
        ":method": "POST",
        ":path": `/v1/projects/${serviceAccount.project_id}/messages:send`,
        authorization: `Bearer ${token.access_token}`,
        "content-type": "application/json",
      },
      message,
    );
  };
  return {
    async send(devices: Device[]): Promise<number> {
      const limit = pLimit(CONCURRENCY);
      const statuses = await Promise.all(devices.map((device) => limit(() => sendOne(device))));
      return statuses.filter((status) => status === 200 || status === 201).length;
    },
    close() {
      apnsSession.close();
      fcmSession.close();
      agent.destroy();
    },
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main() {
  const tls = makeLoopbackCertificate();
  const database = `push_bench_${process.pid}`;
  const children: ChildProcess[] = [];
  try {
    const fakesProcess = await start(
      ["bench/push-fakes-process.ts"],
      { FAKES_CERT_FILE: tls.certFile, FAKES_KEY_FILE: tls.keyFile, FAKES_SUBSCRIPTIONS: String(USERS) },
      /^\{/,
    );
    children.push(fakesProcess.child);
    const fakes = JSON.parse(fakesProcess.line) as Fakes;

    await adminQuery(SERVER_URL, `CREATE DATABASE "${database}"`);
    const key = generateKey("SECRET");
    const gateway = await start(
      ["src/main.ts"],
      {
        PORT: "0",
        LOG_LEVEL: "info",
        DATABASE_URL: databaseUrl(SERVER_URL, database),
        DIRECTORY_SECRET_KEY: key,
        DIRECTORY_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
        NODE_EXTRA_CA_CERTS: tls.certFile,
        PUSH_APNS_PRODUCTION_URL: fakes.apnsUrl,
        PUSH_APNS_SANDBOX_URL: fakes.apnsUrl,
        PUSH_FCM_URL: fakes.fcmUrl,
        PUSH_CONCURRENCY: String(CONCURRENCY),
        RATE_LIMIT_PER_MINUTE: "1000000",
      },
      /"url":"/,
    );
    children.push(gateway.child);
    const url = /"url":"([^"]+)"/.exec(gateway.line)![1]!;

    for (const [name, provider, credentials] of [
      ["ios", "APNS", fakes.apns],
      ["android", "FCM", fakes.fcm],
      ["browsers", "WEB_PUSH", fakes.vapid],
    ] as const) {
      const { createChannel } = await gql(
        url,
        key,
        `mutation C($input: CreateChannelInput!) { createChannel(input: $input) { ... on CreateChannelSuccess { channel { id } } } }`,
        {
          input: { name, provider },
        },
      );
      await gql(url, key, `mutation K($id: ID!, $c: JSONObject!) { configureChannel(id: $id, credentials: $c) { __typename } }`, {
        id: createChannel.channel.id,
        c: credentials,
      });
    }

    const raw = await rawClient(fakes, readFileSync(tls.certFile));
    const rows: string[][] = [];
    for (const scenario of ["apns", "mixed"] as const) {
      const devices = Array.from({ length: USERS }, (_, user) => devicesOf(scenario, user, fakes));
      const users = devices.map((list, user) => ({
        id: `${scenario}-${user}`,
        input: {
          pushTokens: list.flatMap((device) =>
            device.provider === "WEB_PUSH" ? [] : [{ provider: device.provider, token: device.token }],
          ),
          webPushSubscriptions: list.flatMap((device) => (device.provider === "WEB_PUSH" ? [device.subscription] : [])),
        },
      }));
      await gql(url, key, `mutation U($users: [BulkUpsertUserInput!]!) { upsertUsers(users: $users) { failedCount } }`, { users });
      const all = devices.flat();
      const userIds = users.map((user) => user.id);
      const viaGateway = async () => {
        const data = await gql(
          url,
          key,
          `mutation S($input: SendPushInput!) { sendPush(input: $input) { ... on SendPushSuccess { sentCount failedCount } } }`,
          {
            input: { userIds, notification },
          },
        );
        return data.sendPush.sentCount as number;
      };
      // Warm both up (connections, provider tokens, JIT), then take turns.
      await viaGateway();
      await raw.send(all);
      const rates = { gateway: [] as number[], raw: [] as number[] };
      for (let run = 0; run < RUNS; run++) {
        for (const [contender, sendAll] of [
          ["gateway", viaGateway],
          ["raw", () => raw.send(all)],
        ] as const) {
          const started = performance.now();
          const sent = await sendAll();
          const seconds = (performance.now() - started) / 1000;
          if (sent !== all.length) throw new Error(`${contender} sent ${sent} of ${all.length}`);
          rates[contender].push(all.length / seconds);
        }
      }
      const gatewayRate = median(rates.gateway);
      const rawRate = median(rates.raw);
      rows.push([
        scenario,
        String(all.length),
        rawRate.toFixed(0),
        gatewayRate.toFixed(0),
        `${((gatewayRate / rawRate) * 100).toFixed(0)} %`,
      ]);
    }
    raw.close();
    const header = ["scenario", "devices", "raw sends/s", "gateway sends/s", "gateway / raw"];
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
    const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ")} |`;
    console.log([line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n"));
    console.log(`\nmedian of ${RUNS} runs each, ${CONCURRENCY} sends in flight; ${new Date().toISOString()}`);
  } finally {
    for (const child of children) child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 500));
    await adminQuery(SERVER_URL, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    removeLoopbackCertificate(tls);
  }
}

await main();
