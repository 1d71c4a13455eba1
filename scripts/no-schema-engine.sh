#!/bin/sh
# Stand-in for Prisma's native schema engine, which cannot be downloaded here.
# `prisma generate` never runs it; migrations go through the WASM engine
# (src/db/migrations.ts) instead.
echo "The native Prisma schema engine is not installed: use npm run db:migrate / db:migration." >&2
exit 1
