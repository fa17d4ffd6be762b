# syntax=docker/dockerfile:1.7
# gym-call-agent container image, for the Raspberry Pi (linux/arm64) and x86 hosts (linux/amd64):
#
#   docker buildx build --platform linux/arm64,linux/amd64 -t registry.example/gym-agent:0.1.0 --push .
#   docker buildx build --platform linux/arm64 -t gym-agent:0.1.0 -o type=docker,dest=gym-agent.tar .   # for k3s import
#
# Debian bookworm (glibc 2.36): the prebuilt uWebSockets.js binaries need a glibc no newer than that line, and
# the addon is compiled against the same libc it runs on. The build steps live in scripts/container-build.sh so
# that CI, which has no Docker engine, runs exactly the same recipe (test/ops/image-recipe.test.ts).
# Image size: see docs/operations.md ("Image size").

ARG NODE_VERSION=20.20.2

# ---- builder: compiler toolchain, dev dependencies, the native addon and the TypeScript build ----
FROM node:${NODE_VERSION}-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies and the addon first: this layer is reused while only TypeScript changes.
COPY package.json package-lock.json binding.gyp ./
COPY native ./native
COPY scripts/container-build.sh ./scripts/container-build.sh
RUN scripts/container-build.sh deps
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY machines ./machines
COPY bench ./bench
RUN scripts/container-build.sh compile \
 && scripts/container-build.sh assemble /out/app

# ---- runtime: production dependencies, dist/ and the addon only; no compiler, no npm cache ----
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
# HOST 0.0.0.0 needs API_TOKEN (32+ characters) at run time: without it the server refuses to start.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/data \
    NODE_OPTIONS=--enable-source-maps \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
# Owned by root and read-only for the app user: the process cannot modify its own code.
COPY --from=build /out/app /app
RUN ln -s /app/bin/gym-agent /usr/local/bin/gym-agent \
 && mkdir -p /data \
 && chown 1000:1000 /data \
 && rm -rf /root/.npm /tmp/*
# uid 1000 is the image's "node" user; numeric so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
