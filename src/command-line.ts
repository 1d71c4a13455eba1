// What every entry point under scripts/ and bench/ does with its command line.

/** A mistake in a command line: shown with the usage, exit status 2. */
export class UsageError extends Error {}

/** node:util parseArgs reports unknown or malformed options as TypeErrors with these codes. */
export function isParseArgsError(error: unknown): error is TypeError {
  return error instanceof TypeError && String((error as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS_");
}

/**
 * What `read` makes of the arguments. `--help` (or `-h`) prints the usage and
 * exits 0 before anything runs; a mistake (UsageError or a parseArgs error)
 * prints itself and the usage on stderr and exits 2, without a stack trace.
 */
export function readCommandLineOrExit<T>(usage: string, read: (args: string[]) => T, args = process.argv.slice(2)): T {
  const options = args.includes("--") ? args.slice(0, args.indexOf("--")) : args;
  if (options.includes("--help") || options.includes("-h")) {
    console.log(usage);
    process.exit(0);
  }
  try {
    return read(args);
  } catch (error) {
    if (!(error instanceof UsageError) && !isParseArgsError(error)) throw error;
    console.error(`${error.message}\n\n${usage}`);
    process.exit(2);
  }
}
