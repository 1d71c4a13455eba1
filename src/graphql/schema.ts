import { builder } from "./builder.ts";
import "./errors.ts";
import "../users/user.ts";
import "../users/mutations.ts";

export const schema = builder.toSchema({ sortSchema: false });
