import type { SecretKeyAuth } from "../../src/auth/caller.ts";
import { SCOPES } from "../../src/auth/keys.ts";

/** A secret key of the project as a service sees its caller: the whole project is in its reach. */
export const keyCaller = (projectId: string): SecretKeyAuth => ({
  kind: "secretKey",
  projectId,
  cursorSecret: "",
  keyId: "test",
  scopes: SCOPES,
});
