#!/usr/bin/env bash
# The load generator of load-tests/: vegeta (MIT; constant arrival rate, HDR latencies), built from
# source through the Go module proxy into .cache/bin, pinned. Idempotent: a second run with the
# pinned version already there does nothing. Prints VEGETA=<path> on stdout.
#
#   infra/dev/vegeta.sh
#
# Needs Go >= 1.22 (vegeta's go.mod): `go` on PATH or /usr/local/go/bin/go, which these machines have.
# Bookworm's golang-go is 1.19, too old: a machine without Go needs golang-1.22-go or newer from
# bookworm-backports (then /usr/lib/go-1.2x/bin on PATH) before this script can build vegeta.
set -euo pipefail
RISKGATE_LOG_TAG=vegeta
# shellcheck source=infra/dev/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VERSION=v12.13.0
BIN_DIR="$RISKGATE_REPO/.cache/bin"
BIN="$BIN_DIR/vegeta"
STAMP="$BIN_DIR/.vegeta-version"

if [[ -x $BIN && -f $STAMP && $(<"$STAMP") == "$VERSION" ]]; then
  log "vegeta $VERSION already in .cache/bin"
  echo "VEGETA=$BIN"
  exit 0
fi

GO=$(command -v go || true)
[[ -n $GO ]] || GO=/usr/local/go/bin/go
[[ -x $GO ]] || die "no Go toolchain (go on PATH or /usr/local/go/bin/go): install Go >= 1.22 (bookworm-backports golang-1.22-go) and rerun"

started=$SECONDS
mkdir -p "$BIN_DIR"
rm -f "$STAMP" # an interrupted install must not look complete
log "go install github.com/tsenart/vegeta/v12@$VERSION (Go module proxy: ${GOPROXY:-$("$GO" env GOPROXY)})"
GOBIN="$BIN_DIR" "$GO" install "github.com/tsenart/vegeta/v12@$VERSION"
[[ -x $BIN ]] || die "go install finished but $BIN is missing"
printf '%s\n' "$VERSION" >"$STAMP"
log "vegeta $VERSION ready in $((SECONDS - started))s: $BIN"
echo "VEGETA=$BIN"
