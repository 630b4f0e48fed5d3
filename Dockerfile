# syntax=docker/dockerfile:1
# Hivegraph API image: Node 24 slim, multi-stage, runs as the non-root `node` user.
# Every build step is a stage of scripts/image-build.sh, which test/deploy/images.test.ts also
# runs outside Docker. Model weights are optional: --build-arg WITH_MODEL=1 bakes the local
# model in (needs network at build time), or mount one at /app/.models; without either the
# server uses HIVEGRAPH_EMBEDDER (auto falls back to hashing with a warning).
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/image-build.sh scripts/image-build.sh
RUN bash scripts/image-build.sh deps
COPY . .
ARG WITH_MODEL=0
RUN WITH_MODEL=$WITH_MODEL bash scripts/image-build.sh build

FROM node:24-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000 HIVEGRAPH_DATA_DIR=/data
COPY --from=build /app/image/ /app/
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 4000
VOLUME ["/data"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "bin/hivegraph.js", "serve"]
