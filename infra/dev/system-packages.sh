#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, and only those that are missing, so a
# second run does nothing. `npm test` (infra/dev/test-all.sh) and .ci/run call it first.
#   - all installed: exits 0 (one log line).
#   - some missing, running as root: apt-get installs them (no recommends, no prompts).
#   - some missing, not root: prints one line with the command to run, exits 1.
# No dpkg (not Debian): checks the commands the tests run instead and names the missing ones.
set -euo pipefail
RISKGATE_LOG_TAG=system-packages
# shellcheck source=infra/dev/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The one list. Each entry: Debian package, then the command the tests run from it.
#   redis-server             real Redis for the store and API tests (infra/dev/redis.sh)
#   maven                    resolves the Kafka broker jars from Maven Central (infra/dev/kafka.sh provision)
#   openjdk-17-jre-headless  runs the Kafka broker
#   prometheus               prometheus and promtool: the scrape test, promtool check/test rules
#                            (test/system/observability, test/infra)
#   chromium                 the console test and screenshots (playwright-core with
#                            executablePath /usr/bin/chromium; never a downloaded browser)
PACKAGES=(
  redis-server:redis-server
  maven:mvn
  openjdk-17-jre-headless:java
  prometheus:promtool
  chromium:chromium
)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for entry in "${PACKAGES[@]}"; do
    pkg=${entry%%:*}
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
else
  for entry in "${PACKAGES[@]}"; do
    command -v "${entry#*:}" >/dev/null 2>&1 || missing+=("${entry#*:}")
  done
  if ((${#missing[@]})); then
    die "not a Debian system and these commands are missing: ${missing[*]} (install them, see infra/dev/system-packages.sh)"
  fi
fi

if ((${#missing[@]} == 0)); then
  log "all installed"
  exit 0
fi

if ((EUID != 0)); then
  die "missing Debian packages; run: sudo apt-get install -y --no-install-recommends ${missing[*]}"
fi

log "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
log "installed ${missing[*]}"
