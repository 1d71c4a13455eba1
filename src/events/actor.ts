import type { Auth } from "../auth/caller.ts";
import type { Actor } from "./event-types.ts";

/** Changes made by the gateway itself (retention, token hygiene, jobs) for one project. */
export type SystemCaller = { kind: "system"; projectId: string };

/** The actor an event records for a caller. A publishable key alone acts for the system: it only registers or signs in. */
export function actorOf(caller: Auth | SystemCaller): Actor {
  switch (caller.kind) {
    case "secretKey":
      return { kind: "SECRET_KEY", id: caller.keyId };
    case "member":
      return { kind: "MEMBER", id: caller.userId };
    case "userToken":
      return { kind: "USER_TOKEN", id: caller.userId };
    default:
      return { kind: "SYSTEM", id: null };
  }
}
