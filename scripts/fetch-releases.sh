#!/usr/bin/env bash
# Downloads real builds of ZooKeeper releases other than the installed one, from Debian's
# archive, into .test-cache/versions/<suite>/ — for the version matrix of the end-to-end tests.
# Nothing is installed: apt runs with a private configuration (its own sources list, lists
# dir, cache and an empty status file), `apt-get download` and `apt-get source
# --download-only` only fetch files, and apt checks each against the suite's signed index.
# test/helpers/debian-builds.ts extracts them with dpkg-deb -x and lays them out as Apache's
# tarballs. A suite whose files are all there already is skipped (the cache outlives runs).
set -euo pipefail
cd "$(dirname "$0")/.."

# Which packages each release needs, resolved by hand from its zookeeper.jar's manifest
# Class-Path and libzookeeper-java's Depends in the same suite (debian-builds.ts checks the
# manifest against what was fetched, so a drift fails loudly). Only what a server and zkCli.sh
# run with: no junit, guava, jetty-extra, tcnative or xerces (Debian's Depends name them for
# its build and tools; Apache's tarballs do not ship them).
#
# trixie, ZooKeeper 3.9.3: the Class-Path jars (commons-cli/io, findbugs annotations, jackson
# and jetty 9 for the AdminServer, dropwizard metrics, netty, slf4j, snappy, jute, which ships
# in libzookeeper-java) plus what Apache's 3.9 tarball adds: logback (3.8+ log through it), the
# servlet API Jetty needs, and JLine 2 with the Jansi 1 it was built for (zkCli.sh's prompt).
# Apache's bin/ and conf/ come from the source package's orig tarball (Apache's source release).
TRIXIE_PACKAGES=(libzookeeper-java libcommons-cli-java libcommons-io-java libdropwizard-metrics-java
  libfindbugs-annotations-java libjackson2-annotations-java libjackson2-core-java libjackson2-databind-java
  libjetty9-java libservlet-api-java libnetty-java libslf4j-java libsnappy-java liblogback-java
  libjline2-java libjansi1-java)
# bullseye, ZooKeeper 3.4.13: the jar, its scripts (the `zookeeper` package ships Apache's
# zkServer.sh, zkCli.sh and zkCleanup.sh, with one patch that disables cygwin detection, and
# conf_example/), JLine 1 (3.4's zkCli), log4j 1.2 and slf4j with its log4j binding. The orig
# tarball is no longer served for bullseye, and Debian replaced zkEnv.sh with its own, so
# Apache's 3.4.13 zkEnv.sh is kept in test/fixtures/apache-3.4.13/.
BULLSEYE_PACKAGES=(libzookeeper-java zookeeper libjline-java liblog4j1.2-java libslf4j-java)

# A private apt for one suite: nothing of the machine's apt state is read or changed.
private_apt() {
  local dir=$1 tool=$2; shift 2
  local opts=(-o "Dir::Etc::sourcelist=$dir/sources.list" -o "Dir::Etc::sourceparts=$dir/empty" -o "Dir::Etc::preferences=$dir/preferences"
    -o "Dir::Etc::preferencesparts=$dir/empty" -o "Dir::State::lists=$dir/lists" -o "Dir::State::status=$dir/status"
    -o "Dir::Cache=$dir/cache" -o APT::Architecture=amd64 -o APT::Architectures=amd64 -o Acquire::Retries=3)
  # As root, apt would hand downloads to its _apt user, which cannot write into this tree.
  [ "$(id -u)" -ne 0 ] || opts+=(-o APT::Sandbox::User=root)
  "$tool" -q "${opts[@]}" "$@"
}

# Up to three tries with a pause, for a mirror that hiccups.
retry() {
  local n
  for n in 1 2 3; do
    "$@" && return 0
    [ "$n" -eq 3 ] || { echo "setup: retrying ($*)" >&2; sleep $((n * 5)); }
  done
  return 1
}

fetch_suite() {
  local suite=$1 with_source=$2; shift 2
  local packages=("$@")
  local top=.test-cache/versions/$suite
  local want="${packages[*]} source=$with_source"
  if [ -f "$top/complete" ] && [ "$(cat "$top/complete")" = "$want" ]; then return 0; fi
  echo "setup: fetching ZooKeeper's packages from Debian $suite (downloaded, not installed)"
  # apt takes relative Dir:: paths as relative to /etc/apt: every path here is absolute.
  local apt=$PWD/$top/apt
  rm -rf "$top"
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/empty" "$top/debs" "$top/source"
  : > "$apt/status"
  : > "$apt/preferences"
  {
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main"
    [ "$with_source" = no ] || echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main"
  } > "$apt/sources.list"
  # (Called from an `||` list, so `set -e` does not apply here: each step says its failure.)
  retry private_apt "$apt" apt-get update >/dev/null || return 1
  (cd "$top/debs" && retry private_apt "$apt" apt-get download "${packages[@]}" >/dev/null) || return 1
  if [ "$with_source" != no ]; then
    (cd "$top/source" && retry private_apt "$apt" apt-get source --download-only zookeeper >/dev/null) || return 1
  fi
  # The lists and apt's own cache are not needed once the files are here.
  rm -rf "$apt/lists" "$apt/cache"
  echo "$want" > "$top/complete"
}

[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || { echo "setup: no Debian archive keyring, cannot check Debian's packages" >&2; exit 1; }
status=0
fetch_suite trixie yes "${TRIXIE_PACKAGES[@]}" || status=1
fetch_suite bullseye no "${BULLSEYE_PACKAGES[@]}" || status=1
exit "$status"
