#!/bin/bash
# Run tempest's API tests against the devstack cloud on this machine, as OpenStack's gate does.
#
#   tools/tempest.sh [--service NAME]... [--regex REGEX] [--keep-going] [--concurrency N]
#
# Installs tempest (latest from PyPI) in its own virtual environment (.tempest-venv), writes
# $STATE_DIR/tempest/etc/tempest.conf from the running cloud (admin from ./openrc, the
# catalog, the feature flags the cloud reports), then runs tempest.api.<service> for each
# service in the catalog (or only --service NAME: identity, image, object_storage,
# network, ...; --regex narrows further), without the tests listed in
# tools/tempest-exclude.txt, and prints passed/failed/skipped per service. After each
# service it reads the services' logs in $STATE_DIR/logs: a request answered 500 or an
# unhandled traceback during the run fails it. A service that fails stops the run unless
# --keep-going. Exit 0 only when every test ran passed or skipped and the logs are clean.
# Results: $STATE_DIR/tempest/results/<service>.{subunit,json}, tempest.log beside them.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_DIR="${STATE_DIR:-$REPO/state}"
TEMPEST_VENV="${TEMPEST_VENV:-$REPO/.tempest-venv}"
EXCLUDE_FILE="$REPO/tools/tempest-exclude.txt"
WORKSPACE="$STATE_DIR/tempest"
# Two workers: one per core of this machine.
CONCURRENCY=2
SERVICES=()
REGEX=""
KEEP_GOING=0

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --service) SERVICES+=("${2:?--service needs a name}"); shift 2 ;;
    --regex) REGEX="${2:?--regex needs a value}"; shift 2 ;;
    --keep-going) KEEP_GOING=1; shift ;;
    --concurrency) CONCURRENCY="${2:?--concurrency needs a number}"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "tempest.sh: unknown argument $1" >&2; usage ;;
  esac
done

OPENRC="${OPENRC:-$REPO/openrc}"
[ -f "$OPENRC" ] || { echo "tempest.sh: no $OPENRC; run ./devstack.sh first" >&2; exit 1; }
# shellcheck disable=SC1091
source "$OPENRC" admin
# The cloud's address is the one its openrc names (a cloud need not be on 127.0.0.1).
HOST_IP="${HOST_IP:-$(python3 -c 'import os, urllib.parse
print(urllib.parse.urlsplit(os.environ["OS_AUTH_URL"]).hostname)')}"
export HOST_IP
# Tempest talks to the local cloud only: no proxy in between, nothing else reachable by name.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy='*' NO_PROXY='*'

install_tempest() {
  local stamp="$TEMPEST_VENV/.installed"
  # Re-resolve "latest" once a week; otherwise a rerun costs nothing.
  if [ -f "$stamp" ] && [ -z "$(find "$stamp" -mtime +7)" ]; then return; fi
  echo "== installing tempest into $TEMPEST_VENV"
  [ -x "$TEMPEST_VENV/bin/python" ] || python3 -m venv "$TEMPEST_VENV"
  local log="$TEMPEST_VENV/install.log"
  if ! { "$TEMPEST_VENV/bin/pip" install --upgrade pip &&
         "$TEMPEST_VENV/bin/pip" install --upgrade tempest; } >"$log" 2>&1; then
    tail -20 "$log" >&2; echo "tempest.sh: installing tempest failed (see $log)" >&2; exit 1
  fi
  touch "$stamp"
}

install_tempest
echo "== $("$TEMPEST_VENV/bin/tempest" --version 2>&1 | tail -1) against $OS_AUTH_URL"
mkdir -p "$WORKSPACE/etc" "$WORKSPACE/results" "$WORKSPACE/lock"
# The conf carries the admin password: only root reads it.
chmod 700 "$WORKSPACE"
mapfile -t CATALOG < <("$TEMPEST_VENV/bin/python" "$REPO/tools/tempest/make_conf.py" \
  "$WORKSPACE/etc/tempest.conf" "$WORKSPACE" "$STATE_DIR/data/guest.qcow2")
[ ${#CATALOG[@]} -gt 0 ] || { echo "tempest.sh: the catalog names no service" >&2; exit 1; }
if [ ${#SERVICES[@]} -eq 0 ]; then
  SERVICES=("${CATALOG[@]}")
else
  for svc in "${SERVICES[@]}"; do
    if ! printf '%s\n' "${CATALOG[@]}" | grep -qx "$svc"; then
      echo "tempest.sh: '$svc' is not in this cloud's catalog (${CATALOG[*]})" >&2; exit 2
    fi
  done
fi
echo "   tempest.conf: $WORKSPACE/etc/tempest.conf; services: ${SERVICES[*]}"
for svc in "${SERVICES[@]}"; do rm -f "$WORKSPACE/results/$svc".*; done

run_service() {
  local svc=$1 regex="tempest\.api\.$1\." rc=0
  [ -n "$REGEX" ] && regex="(?=.*(?:$REGEX))$regex"
  local results="$WORKSPACE/results/$svc"
  echo
  echo "== tempest.api.$svc (concurrency $CONCURRENCY)"
  "$TEMPEST_VENV/bin/python" "$REPO/tools/tempest/check_logs.py" mark \
    "$STATE_DIR/logs" "$results.marks"
  local started=$SECONDS
  # The stestr repository numbers its runs: this run's stream is .stestr/<next-stream>.
  local run_id=0
  [ -f "$WORKSPACE/.stestr/next-stream" ] && run_id=$(cat "$WORKSPACE/.stestr/next-stream")
  # tempest exits non-zero on a failed test and also when the regex selects nothing.
  (cd "$WORKSPACE" && "$TEMPEST_VENV/bin/tempest" run \
      --config-file "$WORKSPACE/etc/tempest.conf" --regex "$regex" \
      --exclude-list "$EXCLUDE_FILE" --concurrency "$CONCURRENCY" \
      > "$results.out" 2>&1) || rc=$?
  if [ -f "$WORKSPACE/.stestr/$run_id" ]; then
    (cd "$WORKSPACE" && "$TEMPEST_VENV/bin/stestr" last --subunit > "$results.subunit")
  else
    : > "$results.subunit"  # the run was stopped before stestr stored it
  fi
  echo "   $((SECONDS - started)) s; tempest output: $results.out"
  "$TEMPEST_VENV/bin/python" "$REPO/tools/tempest/summarize.py" "$results.json" \
    < "$results.subunit" | tee "$results.summary" || rc=1
  if ! grep -q "^$svc " "$results.summary"; then
    echo "   no test of tempest.api.$svc ran; the end of $results.out:"; tail -20 "$results.out"
    rc=1
  fi
  "$TEMPEST_VENV/bin/python" "$REPO/tools/tempest/check_logs.py" check \
    "$STATE_DIR/logs" "$results.marks" || rc=1
  return $rc
}

FAILED=()
for svc in "${SERVICES[@]}"; do
  if ! run_service "$svc"; then
    FAILED+=("$svc")
    [ $KEEP_GOING = 1 ] || break
  fi
done

echo
echo "== summary ($(date -u '+%Y-%m-%d %H:%M UTC'))"
printf '%-16s %7s %7s %7s\n' service passed failed skipped
for svc in "${SERVICES[@]}"; do
  [ -f "$WORKSPACE/results/$svc.summary" ] && grep "^$svc " "$WORKSPACE/results/$svc.summary"
done
if [ ${#FAILED[@]} -gt 0 ]; then
  echo "failed: ${FAILED[*]}"
  exit 1
fi
echo "every test passed or was skipped; no 500 and no traceback in the logs"
