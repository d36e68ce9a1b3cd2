# Container image of the Connect fulfillment daemon.
#
#   docker build -t connect-fulfillment .
#   docker run --rm -p 127.0.0.1:9464:9464 connect-fulfillment                 # the demo (no Connect URL)
#   docker run --rm --env-file .env -v "$PWD/deploy:/config:ro" -v "$PWD/my-handlers:/handlers:ro" \
#     -p 127.0.0.1:9464:9464 connect-fulfillment start --config /config/config.yaml
#
# Mount points (plain directories, not VOLUMEs, so nothing anonymous is created when unused):
#   /config    the configuration file (e.g. /config/config.yaml, given with --config or CONFIG_FILE);
#              handler module paths in it are relative to the file, e.g. `../handlers/fallball.js`.
#   /handlers  the vendor handler modules (.js, or .ts: Node strips the types when it loads them).
# Secrets (CONNECT_API_KEY) come from the environment, never from the image.
#
# PID 1 is tini: it forwards SIGTERM/SIGINT to node (which drains in-flight requests, see
# `shutdown.graceMs`) and reaps zombies. The arguments after the image name are the CLI's:
# `start` (default), `run-once`, `simulate`, `check-config`, ...
#
# The build needs only the npm registry and Debian's package mirror; scripts/test-container.sh
# builds and checks it with buildah (no Docker engine needed).

# ---- build: all dependencies, compile TypeScript to dist/ --------------------------------------
FROM docker.io/library/node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json tsconfig.examples.json ./
COPY src/ ./src/
COPY examples/handlers/ ./examples/handlers/
RUN npm run build

# ---- runtime: production dependencies and the built code only ----------------------------------
FROM docker.io/library/node:24-slim AS runtime

RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /config /handlers

WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# --omit=optional too: typescript is an optional peer of msw as well as a dev dependency ("devOptional"
# in the lock), which --omit=dev alone keeps. No production dependency needs an optional package.
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund \
 && npm cache clean --force \
 && rm -rf /root/.npm /tmp/*
COPY bin/ ./bin/
COPY --from=build /app/dist/ ./dist/
COPY config/ ./config/
COPY examples/ ./examples/

# The ops server (/healthz, /readyz, /metrics) listens on all of the container's interfaces;
# publish it on the host's loopback only (-p 127.0.0.1:9464:9464).
ENV OPS_HOST=0.0.0.0 \
    OPS_PORT=9464 \
    NODE_OPTIONS=--max-semi-space-size=8 \
    MALLOC_ARENA_MAX=2
EXPOSE 9464

# The app's files stay root-owned and read-only to the process.
USER node

# No curl in the slim image: node itself asks /healthz (liveness: the polling loop is alive).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.OPS_PORT || 9464) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# Last, so that a new version, revision or date does not invalidate the cached layers above.
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="connect-fulfillment" \
      org.opencontainers.image.description="Fulfillment daemon for CloudBlue Connect vendors: polls pending requests, routes them to vendor handlers, carries out their decisions." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="docker.io/library/node:24-slim"

ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/dist/main.js"]
CMD ["start"]
