#!/usr/bin/env bash
# Everything a fresh machine needs before `npx zkpseudo` and `npm test` work here:
# a Java runtime and a ZooKeeper to fall back on (Debian's zookeeper package brings both; it
# is also what the end-to-end tests pack and serve from a loopback mirror), then the npm
# dependencies, whose `prepare` step builds dist/.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! [ -x /usr/share/zookeeper/bin/zkServer.sh ] && command -v apt-get >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing Debian's zookeeper package (brings a Java runtime)"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zookeeper >/dev/null
fi
command -v java >/dev/null 2>&1 || { echo "setup: no Java runtime found; install Java 11+ and run again" >&2; exit 1; }

npm ci --no-audit --no-fund
