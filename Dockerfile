# Threadline's production image: Next's standalone output, run by a non-root user.
#   docker build -t threadline .
#   docker run --init -p 3000:3000 -e DATABASE_URL=postgres://... -e AUTH_SECRET=... threadline
# It needs a PostgreSQL (DATABASE_URL): the image has no embedded one. See README, "Deploy", and
# docker-compose.yml for two instances behind nginx and PgBouncer.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# BUILD_STANDALONE (next.config.mjs): .next/standalone holds server.js and the node_modules it needs.
RUN BUILD_STANDALONE=1 npx next build
# Migrations as one file, since the image has no TypeScript tooling: scripts/migrate.ts (what
# `npm run db:migrate` runs) bundled with its dependencies by the esbuild in the lockfile. Its SQL
# is read from migrations/ beside it (db/migrate.ts). pg-native is pg's optional native driver.
RUN node_modules/.bin/esbuild scripts/migrate.ts --bundle --platform=node --format=esm --target=node20 \
      --external:pg-native --log-level=warning --outfile=dist/migrate.mjs \
      --banner:js="import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __fu(new URL('.', import.meta.url));"

FROM ${NODE_IMAGE}
WORKDIR /app
# NEXT_MANUAL_SIG_HANDLE: SIGTERM is the app's (instrumentation.ts), which lets running answers
# finish their step and hands them to another instance before it exits, as `npm start` does.
# HOSTNAME: what standalone server.js listens on (Docker sets it to the container's name).
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 NEXT_MANUAL_SIG_HANDLE=true PORT=3000 HOSTNAME=0.0.0.0
COPY --from=build --chown=node:node /app/.next/standalone ./
COPY --from=build --chown=node:node /app/.next/static ./.next/static
COPY --from=build /app/dist/migrate.mjs ./migrate.mjs
COPY --from=build /app/db/migrations ./migrations
# The front door (client addresses, TRUSTED_PROXY_HOPS), loaded before Next as `npm start` loads it.
COPY --from=build /app/server/security/front-door-preload.mjs /app/server/security/front-door.mjs ./server/security/
USER node
EXPOSE 3000
# Liveness: the process answers. Load balancers should route by /api/ready (database reachable, schema current, not draining).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Migrations first (safe when instances start together: they take an advisory lock), then the
# server, by exec, so that it receives the container's signals itself.
CMD ["sh", "-c", "node migrate.mjs && exec node --import=./server/security/front-door-preload.mjs server.js"]
