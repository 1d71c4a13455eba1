# The gateway's image: built in one stage with the development tooling, run in another with production
# dependencies and the build alone, as the unprivileged user `node`.
# docker build -t user-directory-gateway .   (or: docker compose up, with compose.yaml)

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts ./scripts
COPY src ./src
# postinstall generates the Prisma client and compiles to dist/ (npm run build).
RUN npm ci --no-audit --no-fund

FROM node:22-bookworm-slim
ENV NODE_ENV=production PORT=4000 DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# Used by the embedded database when DATABASE_URL is unset; mount a volume there to keep it.
RUN mkdir /data && chown node:node /data
USER node
EXPOSE 4000
# /ready answers 200 once the database answers, 503 while it does not.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/ready`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The server itself is PID 1: SIGTERM (docker stop) drains in-flight requests for up to SHUTDOWN_TIMEOUT_SECONDS.
CMD ["node", "--enable-source-maps", "dist/src/main.js"]
