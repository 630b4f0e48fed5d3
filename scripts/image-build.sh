#!/usr/bin/env bash
# The build steps of the Dockerfile, one stage per argument, run in the build context's copy
# (the Dockerfile's WORKDIR, or any directory holding a checkout):
#   deps   install every dependency from package-lock.json (dev ones build the explorer)
#   build  build the explorer, optionally fetch the model (WITH_MODEL=1), then assemble in
#          ./image/ exactly what the runtime stage copies: production dependencies only, the
#          sources, migrations, tools and the built explorer
# NPM_CI_FLAGS adds flags to npm ci (the test passes --offline to use the local cache).
set -euo pipefail
stage="${1:?usage: image-build.sh deps|build}"
case "$stage" in
  deps)
    npm ci --no-audit --no-fund ${NPM_CI_FLAGS:-}
    ;;
  build)
    node explorer/build.ts --force
    if [ "${WITH_MODEL:-0}" = 1 ]; then bash scripts/models.sh; fi
    rm -rf image && mkdir -p image
    cp -r package.json package-lock.json bin src migrations tools schema.graphql image/
    mkdir -p image/explorer && cp -r explorer/dist image/explorer/dist
    if [ -d .models ]; then cp -rL .models image/.models; fi
    (cd image && npm ci --omit=dev --no-audit --no-fund ${NPM_CI_FLAGS:-})
    ;;
  *)
    echo "image-build.sh: unknown stage $stage (deps or build)" >&2
    exit 64
    ;;
esac
