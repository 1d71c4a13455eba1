import type { Logger } from "../logger.ts";
import { DEFAULT_PROJECT } from "./default-project.ts";

const CREATE_KEY = `keys create --project ${DEFAULT_PROJECT} --kind secret`;

/** Without DIRECTORY_SECRET_KEY, a start that made no development key says how to get a key, for people and for logs. */
export function printAccessHint(logger: Logger, embedded: boolean) {
  const command = `npm run directory -- ${CREATE_KEY}`;
  const withoutDevTooling = `node dist/scripts/directory.js ${CREATE_KEY}`;
  const stopFirst = embedded ? "Stop the server first (an embedded data directory serves one process at a time), then run:" : "Run:";
  logger.info(
    { createKey: command, createKeyWithoutDevTooling: withoutDevTooling },
    "no DIRECTORY_SECRET_KEY is set: create a secret key for the project default with the directory CLI",
  );
  // For the person at the terminal, on stderr like the development key's banner: stdout stays JSON lines.
  console.error(
    [
      "",
      `  No DIRECTORY_SECRET_KEY is set, and a development key is only shown on the first start.`,
      `  To get a secret key for the project \`${DEFAULT_PROJECT}\`: ${stopFirst}`,
      "",
      `    ${command}`,
      "",
      `  (where the development tooling is not installed: ${withoutDevTooling})`,
      "",
    ].join("\n"),
  );
}
