import type { DestinationStream } from "pino";
import { pino } from "pino";
import type { Config } from "./config.ts";

export type { Logger } from "pino";

/**
 * JSON lines with ISO timestamps, to stdout unless `destination` says
 * otherwise (tests read what is logged). Credentials are never logged: the
 * request line names a key by its prefix (see request-log.ts).
 */
export function createLogger(level: Config["logLevel"], destination?: DestinationStream) {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}
