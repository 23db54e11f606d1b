# syntax=docker/dockerfile:1
# One image for both roles:
#   docker run IMAGE sidecar --listen 0.0.0.0:50051        (the default command)
#   docker run -e BULWARK_HEALTH_PORT=50052 IMAGE control --listen 0.0.0.0:50052
# Stage 1 compiles TypeScript and the native modules with dev dependencies; stage 2 carries
# the compiled code, the shipped models and production dependencies only. Nothing is
# downloaded at run time.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# re2 compiles from source when its prebuilt binary cannot be fetched.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# Dependencies first: this layer is reused until the lockfile changes. .npmrc skips
# onnxruntime-node's CUDA download (its CPU binaries ship in the package).
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY gen ./gen
COPY src ./src
COPY bench ./bench
# bench/*.ts is part of the build and some of it imports test helpers.
COPY test ./test
COPY scripts ./scripts
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    BULWARK_HEALTH_PORT=50051
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY bin ./bin
COPY models ./models
COPY scripts/healthcheck.mjs ./scripts/healthcheck.mjs
COPY examples/policies ./examples/policies
# Non-root (the chart and the injector run it as 10001 with a read-only root filesystem;
# state goes to mounted volumes: --data-dir / BULWARK_DATA_DIR).
RUN mkdir -p /var/lib/bulwark && chown 10001:10001 /var/lib/bulwark
USER 10001:10001
ENV XDG_STATE_HOME=/var/lib/bulwark
# 50051: sidecar gRPC (Scan, Envoy ext_authz/ext_proc, health) and Connect JSON;
# 50052: control plane gRPC; 8443: sidecar injector webhook (HTTPS).
EXPOSE 50051 50052 8443
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "/app/scripts/healthcheck.mjs"]
ENTRYPOINT ["node", "/app/bin/bulwark.js"]
CMD ["sidecar", "--listen", "0.0.0.0:50051"]
