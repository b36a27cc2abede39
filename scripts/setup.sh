#!/usr/bin/env bash
# Everything a fresh machine needs before `npx zkpseudo` and `npm test` work here:
# - a Java runtime and a ZooKeeper to fall back on (Debian's zookeeper package brings both; it
#   is also what the end-to-end tests pack and serve from a loopback mirror), with JLine so
#   zkCli.sh has a prompt and logback for Apache's own logging configuration;
# - the tools the tests point at an ensemble: zktop and kazoo (python3-kazoo);
# - docker-compose (Debian's 1.29.2), whose own parser checks exported Compose files in the
#   tests (`docker-compose config -q` needs no Docker engine; none is installed with it);
# - Apache's own source release of that ZooKeeper (Debian's source package carries it), whose
#   bin/ and conf/ the tests assemble into an Apache-layout tarball;
# - then the npm dependencies, and the build.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
apt() { $sudo env DEBIAN_FRONTEND=noninteractive apt-get "$@"; }

if command -v apt-get >/dev/null 2>&1; then
  want=()
  [ -x /usr/share/zookeeper/bin/zkServer.sh ] || want+=(zookeeper)
  [ -f /usr/share/java/jline2.jar ] || want+=(libjline2-java)
  [ -f /usr/share/java/logback-classic.jar ] || want+=(liblogback-java)
  command -v zktop >/dev/null 2>&1 || want+=(zktop)
  [ -d /usr/lib/python3/dist-packages/kazoo ] || want+=(python3-kazoo)
  # Installed without its recommends, which would bring a Docker engine the tests do not use.
  bare=()
  command -v docker-compose >/dev/null 2>&1 || bare+=(docker-compose)
  if [ "${#want[@]}" -gt 0 ] || [ "${#bare[@]}" -gt 0 ]; then
    echo "setup: installing Debian packages: ${want[*]} ${bare[*]}"
    apt update -qq
    [ "${#want[@]}" -eq 0 ] || apt install -y -qq "${want[@]}" >/dev/null
    [ "${#bare[@]}" -eq 0 ] || apt install -y -qq --no-install-recommends "${bare[@]}" >/dev/null
  fi
  # Apache's source release, as Debian ships it (zookeeper_X.orig.tar.gz), for the tests.
  if ! ls .test-cache/apache-src/*.orig.tar.gz >/dev/null 2>&1; then
    if ! apt-get source --help >/dev/null 2>&1 || ! grep -rqs '^Types: deb-src\|^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
      echo "setup: adding a deb-src line for Debian's source packages"
      . /etc/os-release
      printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "${VERSION_CODENAME:-bookworm}" \
        | $sudo tee /etc/apt/sources.list.d/zkpseudo-src.sources >/dev/null
      apt update -qq
    fi
    mkdir -p .test-cache/apache-src
    (cd .test-cache/apache-src && apt-get source --download-only -qq zookeeper >/dev/null 2>&1) \
      || echo "setup: could not fetch Debian's zookeeper source package; the Apache-layout tests will say so" >&2
  fi
fi
command -v java >/dev/null 2>&1 || { echo "setup: no Java runtime found; install Java 11+ and run again" >&2; exit 1; }

npm ci --no-audit --no-fund
npm run build
