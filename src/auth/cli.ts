import { parseArgs } from "node:util";
import { isParseArgsError, UsageError } from "../command-line.ts";
import type { PrismaClient } from "../db/generated/prisma/client.ts";
import { isUuid } from "../validation/ids.ts";
import { createApiKey, findOrCreateProject, listApiKeys, listProjects, revokeApiKey } from "./api-keys.ts";
import { KEY_KINDS, type KeyKind, SCOPES, type Scope } from "./keys.ts";

export const USAGE = `Usage: npm run directory -- <command>

  keys create --project NAME --kind secret|publishable [--scopes a,b] [--name LABEL]
      creates the project if missing; prints the new key alone on the last line (shown only once)
  keys list --project NAME
  keys revoke KEY_ID
  projects list

Scopes of secret keys: ${SCOPES.join(", ")}.
A secret key gets all of them unless --scopes names some; publishable keys have none.`;

type Print = (line: string) => void;
type Command = (args: string[], prisma: PrismaClient, print: Print) => Promise<void>;

const COMMANDS: Record<string, Command> = {
  "keys create": keysCreate,
  "keys list": keysList,
  "keys revoke": keysRevoke,
  "projects list": projectsList,
};

/** Runs one command of `npm run directory`; what it prints goes through `print`, line by line. */
export async function runCli(argv: readonly string[], prisma: PrismaClient, print: Print): Promise<void> {
  const [group, action, ...args] = argv;
  const command = COMMANDS[`${group} ${action}`];
  if (!command) throw new UsageError(group ? `Unknown command: ${[group, action].join(" ")}` : "No command given.");
  try {
    await command(args, prisma, print);
  } catch (error) {
    if (isParseArgsError(error)) throw new UsageError(error.message);
    throw error;
  }
}

async function keysCreate(args: string[], prisma: PrismaClient, print: Print) {
  const { values } = parseArgs({
    args,
    options: {
      project: { type: "string" },
      kind: { type: "string" },
      scopes: { type: "string" },
      name: { type: "string" },
    },
    strict: true,
  });
  const projectName = required(values.project, "--project");
  const kind = keyKind(required(values.kind, "--kind"));
  if (kind === "PUBLISHABLE" && values.scopes !== undefined) {
    throw new UsageError("Publishable keys have no scopes: they act only for the user of a user token.");
  }
  const scopes = kind === "PUBLISHABLE" ? [] : values.scopes === undefined ? SCOPES : scopeList(values.scopes);
  const project = await findOrCreateProject(prisma, projectName);
  const { id, key } = await createApiKey(prisma, { projectId: project.id, kind, scopes, name: values.name });
  print(`Created ${kind.toLowerCase()} key ${id} for project "${project.name}"${scopes.length ? ` with scopes ${scopes.join(",")}` : ""}.`);
  print("It is shown only this once; only its hash is stored:");
  print(key);
}

async function keysList(args: string[], prisma: PrismaClient, print: Print) {
  const { values } = parseArgs({ args, options: { project: { type: "string" } }, strict: true });
  const projectName = required(values.project, "--project");
  const project = await prisma.project.findUnique({ where: { name: projectName } });
  if (!project) throw new UsageError(`No project named "${projectName}".`);
  const keys = await listApiKeys(prisma, project.id);
  printTable(print, [
    ["ID", "PREFIX", "KIND", "NAME", "SCOPES", "CREATED", "REVOKED"],
    ...keys.map((key) => [
      key.id,
      `${key.prefix}…`,
      key.kind.toLowerCase(),
      key.name ?? "-",
      key.scopes.join(",") || "-",
      key.createdAt.toISOString(),
      key.revokedAt?.toISOString() ?? "-",
    ]),
  ]);
}

async function keysRevoke(args: string[], prisma: PrismaClient, print: Print) {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
  const [keyId, ...extra] = positionals;
  if (!keyId || extra.length > 0) throw new UsageError("keys revoke takes one KEY_ID (see keys list).");
  if (!isUuid(keyId)) throw new UsageError(`Not a key id: ${keyId} (key ids are UUIDs; see keys list).`);
  const outcome = await revokeApiKey(prisma, keyId);
  if (outcome === "not found") throw new UsageError(`No key with id ${keyId}.`);
  print(outcome === "revoked" ? `Revoked key ${keyId}.` : `Key ${keyId} was already revoked.`);
}

async function projectsList(args: string[], prisma: PrismaClient, print: Print) {
  parseArgs({ args, options: {}, strict: true });
  const projects = await listProjects(prisma);
  printTable(print, [
    ["NAME", "ID", "ACTIVE KEYS", "CREATED"],
    ...projects.map((project) => [project.name, project.id, String(project._count.apiKeys), project.createdAt.toISOString()]),
  ]);
}

function required(value: string | undefined, option: string): string {
  if (value === undefined || value.trim() === "") throw new UsageError(`${option} is required.`);
  return value.trim();
}

function keyKind(value: string): KeyKind {
  const kind = value.toUpperCase();
  if (!(kind in KEY_KINDS)) throw new UsageError(`--kind must be secret or publishable, not "${value}".`);
  return kind as KeyKind;
}

function scopeList(value: string): Scope[] {
  const names = value
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  const unknown = names.filter((name) => !(SCOPES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new UsageError(`Unknown scopes: ${unknown.join(", ")}. Known: ${SCOPES.join(", ")}.`);
  if (names.length === 0) throw new UsageError("--scopes names no scope.");
  return [...new Set(names as Scope[])];
}

/** Columns padded to their widest cell, so listings line up in a terminal. */
function printTable(print: Print, rows: string[][]) {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows)
    print(
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join("  ")
        .trimEnd(),
    );
}
