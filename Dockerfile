# suanpan: multi-stage build. Stage 1 installs with `npm ci`, compiles TypeScript and prunes the
# dev dependencies; stage 2 is the runtime on Node.js 22 LTS (slim, Debian bookworm), non-root,
# with tini as PID 1 so SIGTERM reaches the server and zombies are reaped.
# NODE_REPO is a build argument only so that machines without Docker Hub can substitute a locally
# built equivalent of the same tag (see scripts/check-dockerfile.sh); the default is the official
# image, and the tag (Node.js 22, slim) is fixed here.
ARG NODE_REPO=node

FROM ${NODE_REPO}:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json openapi.yaml ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_REPO}:22-slim AS runtime
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
# Without SUANPAN_SIGNING_KEY_FILE (mount a key in production) the service signs quotes with a
# development key it writes under SUANPAN_DATA_DIR: a writable place outside the read-only app.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    SUANPAN_DATA_DIR=/tmp/suanpan
WORKDIR /app
# The application files stay owned by root: the `node` user can read them, not change them.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json openapi.yaml ./
COPY rules ./rules
USER node
EXPOSE 8080
# No curl in a slim image: Node itself probes /livez.
HEALTHCHECK --interval=15s --timeout=3s --retries=3 \
  CMD ["node", "-e", "require('node:http').get({host:'127.0.0.1',port:process.env.PORT||8080,path:'/livez',timeout:2000},(r)=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/server.js"]
