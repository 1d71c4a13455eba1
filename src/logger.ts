import { pino } from "pino";
import type { Config } from "./config.ts";

export type { Logger } from "pino";

export function createLogger(level: Config["logLevel"]) {
  return pino({ level, base: undefined, redact: ["req.headers.authorization", "req.headers['x-api-key']"] });
}
