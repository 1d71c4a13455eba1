import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { PushConfig } from "../config.ts";
import { requestError } from "../graphql/request-errors.ts";
import type { Logger } from "../logger.ts";

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = "v1";
const KEY_FILE = "encryption.key";

/** The key secrets at rest are encrypted with, asked for when one is written or read. */
export type EncryptionKey = () => Promise<Buffer>;

/**
 * Secrets the gateway must use again (provider credentials, webhook signing
 * secrets) are stored encrypted: AES-256-GCM with the id of the row that owns
 * the secret as associated data, so a stored value decrypts only on that row,
 * and any change to it is detected.
 */
export function encryptAtRest(key: Buffer, ownerId: string, plaintext: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv).setAAD(Buffer.from(ownerId));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `${FORMAT}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
}

/** Whether a stored value is one `encryptAtRest` wrote (rows written before webhook secrets were encrypted hold them in clear). */
export const isEncryptedAtRest = (stored: string) => stored.startsWith(`${FORMAT}.`);

export function decryptAtRest(key: Buffer, ownerId: string, stored: string): string {
  const [format, payload] = stored.split(".");
  if (format !== FORMAT || !payload) throw new Error("the stored secret is not in a known format");
  const bytes = Buffer.from(payload, "base64url");
  const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, IV_BYTES))
    .setAAD(Buffer.from(ownerId))
    .setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
}

/**
 * The key secrets at rest are encrypted with: DIRECTORY_ENCRYPTION_KEY; else, on
 * the embedded default, one made once and kept in DATA_DIR (an in-memory
 * database gets one for the life of the process). PostgreSQL without the
 * variable has none: the data and a key file would not live in the same place.
 */
export function encryptionKeySource(config: Pick<PushConfig, "encryptionKey" | "database">, logger: Logger): EncryptionKey {
  let key: Promise<Buffer> | undefined;
  return () => {
    if (config.encryptionKey) return Promise.resolve(config.encryptionKey);
    if (config.database.kind === "postgres") {
      return Promise.reject(
        requestError(
          "ENCRYPTION_KEY_MISSING",
          "Provider credentials and webhook secrets are encrypted at rest and this gateway has no key: set DIRECTORY_ENCRYPTION_KEY (32 bytes, base64 or hex) on every gateway process.",
        ),
      );
    }
    const { dataDir } = config.database;
    key ??= (dataDir === "memory://" ? Promise.resolve(randomBytes(KEY_BYTES)) : keyInDataDir(dataDir, logger)).catch((error) => {
      key = undefined;
      throw error;
    });
    return key;
  };
}

async function keyInDataDir(dataDir: string, logger: Logger): Promise<Buffer> {
  const path = join(dataDir, KEY_FILE);
  try {
    return await readKeyFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  await mkdir(dataDir, { recursive: true });
  try {
    // wx: of two processes making it at once, one writes and the other reads it.
    await writeFile(path, `${randomBytes(KEY_BYTES).toString("base64")}\n`, { flag: "wx", mode: 0o600 });
    logger.warn(
      { path: resolve(path) },
      "made a key that encrypts provider credentials and webhook secrets at rest; back it up with the data directory, or set DIRECTORY_ENCRYPTION_KEY",
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return readKeyFile(path);
}

async function readKeyFile(path: string): Promise<Buffer> {
  const key = Buffer.from((await readFile(path, "utf8")).trim(), "base64");
  if (key.length !== KEY_BYTES) throw new Error(`${path} does not hold a 32-byte key in base64`);
  return key;
}
