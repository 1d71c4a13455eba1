import { createECDH, type ECDH, generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { createSecureServer, type Http2SecureServer, type Http2ServerRequest, type Http2ServerResponse } from "node:http2";
import type { AddressInfo } from "node:net";
import ece from "http_ece";
import { importJWK, jwtVerify } from "jose";
import webpush from "web-push";

// Loopback stand-ins for APNs, FCM (OAuth2 token endpoint and HTTP v1) and a
// Web Push service. Each checks what the real one checks: signatures and
// claims of provider tokens, bearer tokens, VAPID, and it decrypts payloads.

export type TlsFiles = { cert: Buffer; key: Buffer };

/** A scripted answer; `hang` never answers. Unscripted requests succeed. */
export type Answer = { status: number; body?: unknown; headers?: Record<string, string>; hang?: boolean };

/** Answers to give per destination (token or subscription id), in order. */
export class Script {
  private readonly answers = new Map<string, Answer[]>();
  set(destination: string, ...answers: Answer[]) {
    this.answers.set(destination, answers);
  }
  next(destination: string): Answer | undefined {
    return this.answers.get(destination)?.shift();
  }
  clear() {
    this.answers.clear();
  }
}

type Handler = (request: Http2ServerRequest, body: Buffer, response: Http2ServerResponse) => Promise<void> | void;

async function listen(tls: TlsFiles, handler: Handler): Promise<{ server: Http2SecureServer; url: string }> {
  const server = createSecureServer({ ...tls, allowHTTP1: true, settings: { maxConcurrentStreams: 10_000 } }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      Promise.resolve(handler(request, Buffer.concat(chunks), response)).catch((error: unknown) => {
        response.writeHead(500).end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `https://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function answer(response: Http2ServerResponse, scripted: Answer) {
  if (scripted.hang) return;
  response.writeHead(scripted.status, { "content-type": "application/json", ...scripted.headers });
  response.end(scripted.body === undefined ? "" : JSON.stringify(scripted.body));
}

const closeServer = (server: Http2SecureServer) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    // Kept-alive and hanging connections would hold close() forever.
    (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    setTimeout(resolve, 200).unref();
  });

/** Keys and claims an APNs fake expects; `credentials` is what configureChannel takes. */
export function apnsAccount(bundleId = "com.example.app") {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const credentials = {
    teamId: "TEAM123456",
    keyId: "KEY1234567",
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    bundleId,
  };
  return { credentials, publicKey };
}

export type ApnsRequest = { token: string; headers: Record<string, string | string[] | undefined>; payload: any };

/** APNs: verifies the ES256 provider token (signature, kid, iss, iat) and the topic on every request. */
export async function startApnsFake(tls: TlsFiles, account: ReturnType<typeof apnsAccount>) {
  const requests: ApnsRequest[] = [];
  const providerTokens = new Set<string>();
  const script = new Script();
  const { server, url } = await listen(tls, async (request, body, response) => {
    const token = decodeURIComponent(/^\/3\/device\/(.+)$/.exec(request.url)?.[1] ?? "");
    const bearer = /^bearer (.+)$/.exec(String(request.headers.authorization))?.[1] ?? "";
    if (!providerTokens.has(bearer)) {
      try {
        const { payload, protectedHeader } = await jwtVerify(bearer, account.publicKey, {
          algorithms: ["ES256"],
          issuer: account.credentials.teamId,
        });
        if (protectedHeader.kid !== account.credentials.keyId) throw new Error("kid");
        if (typeof payload.iat !== "number" || Math.abs(payload.iat - Date.now() / 1000) > 3600) throw new Error("iat");
        providerTokens.add(bearer);
      } catch {
        return answer(response, { status: 403, body: { reason: "InvalidProviderToken" } });
      }
    }
    if (request.headers["apns-topic"] !== account.credentials.bundleId)
      return answer(response, { status: 400, body: { reason: "BadTopic" } });
    if (request.method !== "POST" || !token) return answer(response, { status: 405, body: { reason: "MethodNotAllowed" } });
    requests.push({ token, headers: { ...request.headers }, payload: JSON.parse(body.toString()) });
    answer(response, script.next(token) ?? { status: 200, headers: { "apns-id": randomUUID().toUpperCase() } });
  });
  return { url, requests, providerTokens, script, close: () => closeServer(server) };
}

/** A service account whose token_uri is filled in once the fake listens. */
export function fcmAccount(projectId = "demo-project") {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const serviceAccount = {
    type: "service_account",
    project_id: projectId,
    private_key_id: "key-1",
    private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    client_email: `sender@${projectId}.iam.gserviceaccount.com`,
    client_id: "1234567890",
    token_uri: "",
  };
  return { serviceAccount, publicKey };
}

export type FcmRequest = { token: string; message: any };

/** OAuth2 token endpoint (/token, checks the signed assertion) and FCM v1 (checks the bearer it issued). */
export async function startFcmFake(tls: TlsFiles, account: ReturnType<typeof fcmAccount>, { expiresIn = 3600 } = {}) {
  const requests: FcmRequest[] = [];
  const issued = new Map<string, number>();
  const script = new Script();
  let tokenRequests = 0;
  const tokenScript: Answer[] = [];
  const { serviceAccount } = account;
  const { server, url } = await listen(tls, async (request, body, response) => {
    if (request.url === "/token") {
      tokenRequests++;
      const scripted = tokenScript.shift();
      if (scripted) return answer(response, scripted);
      const form = new URLSearchParams(body.toString());
      try {
        if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer") throw new Error("grant_type");
        const { payload } = await jwtVerify(form.get("assertion") ?? "", account.publicKey, {
          algorithms: ["RS256"],
          issuer: serviceAccount.client_email,
          audience: serviceAccount.token_uri,
        });
        if (payload.scope !== "https://www.googleapis.com/auth/firebase.messaging") throw new Error("scope");
      } catch {
        return answer(response, { status: 400, body: { error: "invalid_grant" } });
      }
      const accessToken = `ya29.${randomBytes(16).toString("hex")}`;
      issued.set(accessToken, Date.now() + expiresIn * 1000);
      return answer(response, { status: 200, body: { access_token: accessToken, expires_in: expiresIn, token_type: "Bearer" } });
    }
    const bearer = /^Bearer (.+)$/.exec(String(request.headers.authorization))?.[1] ?? "";
    if ((issued.get(bearer) ?? 0) < Date.now()) {
      return answer(response, { status: 401, body: { error: { code: 401, status: "UNAUTHENTICATED", message: "bad token" } } });
    }
    if (request.url !== `/v1/projects/${serviceAccount.project_id}/messages:send`) return answer(response, { status: 404, body: {} });
    const { message } = JSON.parse(body.toString());
    requests.push({ token: message.token, message });
    const name = `projects/${serviceAccount.project_id}/messages/${randomBytes(8).toString("hex")}`;
    answer(response, script.next(message.token) ?? { status: 200, body: { name } });
  });
  serviceAccount.token_uri = `${url}/token`;
  return {
    url,
    requests,
    script,
    tokenScript,
    tokenRequests: () => tokenRequests,
    expireAccessTokens: () => issued.clear(),
    close: () => closeServer(server),
  };
}

export function vapidAccount() {
  const { publicKey, privateKey } = webpush.generateVAPIDKeys();
  return { vapidPublicKey: publicKey, vapidPrivateKey: privateKey, subject: "mailto:push@example.com" };
}

export type WebPushDelivery = { id: string; payload: any; headers: Record<string, string | string[] | undefined> };

/** A push service: checks the VAPID JWT and decrypts each payload (aes128gcm) with the subscription's keys. */
export async function startWebPushFake(tls: TlsFiles, vapid: ReturnType<typeof vapidAccount>) {
  const received: WebPushDelivery[] = [];
  const subscribers = new Map<string, { ecdh: ECDH; auth: string }>();
  const script = new Script();
  const raw = Buffer.from(vapid.vapidPublicKey, "base64url");
  const vapidKey = await importJWK(
    { kty: "EC", crv: "P-256", x: raw.subarray(1, 33).toString("base64url"), y: raw.subarray(33).toString("base64url") },
    "ES256",
  );
  const verified = new Set<string>();
  let origin = "";
  const { server, url } = await listen(tls, async (request, body, response) => {
    const id = /^\/push\/(.+)$/.exec(request.url)?.[1] ?? "";
    const subscriber = subscribers.get(id);
    if (!subscriber) return answer(response, { status: 404 });
    const vapidHeader = /^vapid t=([^,]+), k=(.+)$/.exec(String(request.headers.authorization));
    if (!vapidHeader || vapidHeader[2] !== vapid.vapidPublicKey) return answer(response, { status: 401 });
    if (!verified.has(vapidHeader[1]!)) {
      try {
        await jwtVerify(vapidHeader[1]!, vapidKey, { algorithms: ["ES256"], audience: origin, subject: vapid.subject });
        verified.add(vapidHeader[1]!);
      } catch {
        return answer(response, { status: 403 });
      }
    }
    const scripted = script.next(id);
    if (scripted) return answer(response, scripted);
    const plaintext = ece.decrypt(body, { version: "aes128gcm", privateKey: subscriber.ecdh, authSecret: subscriber.auth });
    received.push({ id, payload: JSON.parse(plaintext.toString()), headers: { ...request.headers } });
    response.writeHead(201, { location: `${origin}/messages/${randomUUID()}` }).end();
  });
  origin = url;
  return {
    url,
    received,
    script,
    vapidTokens: verified,
    /** A new browser subscription, as PushSubscription.toJSON() gives it. */
    subscribe(id: string = randomUUID()) {
      const ecdh = createECDH("prime256v1");
      ecdh.generateKeys();
      const auth = randomBytes(16).toString("base64url");
      subscribers.set(id, { ecdh, auth });
      return { endpoint: `${url}/push/${id}`, keys: { p256dh: ecdh.getPublicKey().toString("base64url"), auth } };
    },
    close: () => closeServer(server),
  };
}
