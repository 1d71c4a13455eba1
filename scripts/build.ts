// npm run build [-- OUT_DIR]: compiles the service and its command-line tools to OUT_DIR (default dist/) and
// copies the migrations they apply at start beside them, so that OUT_DIR runs with production dependencies alone.
import { execFileSync } from "node:child_process";
import { cp, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const outDir = process.argv[2] ?? "dist";
const tsc = fileURLToPath(import.meta.resolve("typescript/bin/tsc"));

// A file deleted from the sources must not linger in the build.
await rm(outDir, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--outDir", outDir], { stdio: "inherit" });
// src/db/migrations.ts finds them at ../../prisma/migrations from itself, in the sources as in the build.
await cp("prisma/migrations", join(outDir, "prisma/migrations"), { recursive: true });
