// The loopback providers of `npm run bench:push`, in a process of their own so
// that neither contender shares an event loop with them. Prints one JSON line:
// their URLs, the credentials to configure, and Web Push subscriptions.
import { readFileSync } from "node:fs";
import { apnsAccount, fcmAccount, startApnsFake, startFcmFake, startWebPushFake, vapidAccount } from "../test/support/push-fakes.ts";

const tls = { cert: readFileSync(process.env.FAKES_CERT_FILE!), key: readFileSync(process.env.FAKES_KEY_FILE!) };
const subscriptions = Number(process.env.FAKES_SUBSCRIPTIONS ?? 0);
const apnsKey = apnsAccount();
const fcmKey = fcmAccount();
const vapid = vapidAccount();
const [apns, fcm, webPush] = await Promise.all([startApnsFake(tls, apnsKey), startFcmFake(tls, fcmKey), startWebPushFake(tls, vapid)]);
// The bench sends tens of thousands of messages: keep counts, not the requests.
setInterval(() => {
  apns.requests.length = 0;
  fcm.requests.length = 0;
  webPush.received.length = 0;
}, 1000).unref();
console.log(
  JSON.stringify({
    apnsUrl: apns.url,
    fcmUrl: fcm.url,
    apns: apnsKey.credentials,
    fcm: { serviceAccount: fcmKey.serviceAccount },
    vapid,
    subscriptions: Array.from({ length: subscriptions }, () => webPush.subscribe()),
  }),
);
