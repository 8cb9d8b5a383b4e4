# syntax=docker/dockerfile:1
# Pledgr Pulse: one image for the agent (default command), the collector (`node cli/bin.js collector`) and
# the migration (`node cli/bin.js migrate`); docker-compose.yml picks the command per service.
#
# Stage `build` installs every dependency and builds the dashboard (Vite, a dev dependency) into
# dashboard/dist, the drop-in agent into agent/dist and the `pulse` CLI into cli/dist (so `node cli/bin.js
# collector|migrate` start without compiling TypeScript). Stage `runtime` installs production dependencies
# only (`npm ci --omit=dev`) and copies the sources and the three builds: the services' other TypeScript
# (agent/main.ts) runs through tsx, which is therefore a runtime dependency. `--ignore-scripts`: the
# repository's `prepare` (agent and CLI builds, test fixtures) needs sources the install step has not copied
# yet; the builds run explicitly. It runs as the unprivileged `node` user; the code is root-owned and
# read-only to it, only /app/data (PULSE_DATA_DIR) is writable. test/stack/compose.test.ts checks the stages,
# the user, the HEALTHCHECK and that every file a CMD names exists.

ARG NODE_IMAGE=node:20.19.5-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build:dashboard && npm run build:agent && npm run build:cli

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
# The parts the services import (cli → agent, collector → core → queries, read as data).
COPY agent ./agent
COPY cli ./cli
COPY collector ./collector
COPY core ./core
COPY queries ./queries
COPY --from=build /app/dashboard/dist ./dashboard/dist
COPY --from=build /app/agent/dist ./agent/dist
COPY --from=build /app/cli/dist ./cli/dist
# The image's sources and its CLI build come from the same context and never change: run the build, without
# comparing file times (cli/bin.js otherwise falls back to the sources when one looks newer than the build).
ENV PULSE_CLI=compiled
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000 9464 4000
# The agent's readiness (compose overrides it for the collector and turns it off for migrate).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--import", "tsx", "--import", "./agent/register.js", "agent/main.ts"]
