#!/bin/bash
# The test command: install what the tests need (system packages, .venv, running
# RabbitMQ/MariaDB/PostgreSQL), then run the suite.
#   ./run_tests.sh                 unit, functional and integration tests (not the slow ones)
#   ./run_tests.sh tests/unit      any pytest arguments: one pytest run with them
#   SLOW=1 ./run_tests.sh          include tests marked slow (multi-GiB transfers)
#   LANES=1 ./run_tests.sh         every folder one after the other (no second lane)
# The whole suite runs as one pytest process per folder (tests/unit, then each folder of
# tests/functional and tests/integration): daemons, threads and RabbitMQ consumers a folder
# starts end with its process and cannot disturb the next folder's tests.
# Two lanes: the folders in SECOND_LANE run one after the other beside the rest. They share
# no fixed resource with any other folder (tests/functional/devstack: its own cloud on
# 127.0.0.2, its own database prefix, RabbitMQ vhost, bridge, iptables chains and tgtd).
# Each folder's output is printed whole when that folder ends.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$REPO"
tools/install.sh --test
MARK=(-m "not slow")
[ "${SLOW:-0}" = 1 ] && MARK=()
PYTEST=(.venv/bin/python -m pytest "${MARK[@]}" -q -rs --durations=5)

if [ $# -gt 0 ]; then
  exec "${PYTEST[@]}" "$@"
fi

SECOND_LANE=(tests/functional/devstack)
[ "${LANES:-2}" = 1 ] && SECOND_LANE=()
results="$(mktemp -d)"
lane_pid=
# Interrupted: the second lane's pytest gets SIGINT as the first one's does from the
# terminal, so its fixtures' teardown (e.g. devstack clean) runs before we leave.
cleanup() {
  if [ -n "$lane_pid" ]; then
    kill -INT -- -"$lane_pid" 2>/dev/null || true
    wait "$lane_pid" 2>/dev/null || true
  fi
  rm -rf "$results"
}
trap cleanup EXIT

# One folder: one pytest process, its output printed whole (under a lock, so two lanes'
# folders never interleave) once it ends; a failed folder is recorded in $results/failed.
run_group() {
  local group=$1 name rc started=$SECONDS
  name="$(echo "$group" | tr / _)"
  set +e
  "${PYTEST[@]}" --junitxml="$results/$name.xml" "$group" </dev/null >"$results/$name.out" 2>&1
  rc=$?
  set -e
  {
    flock 9
    echo "== $group ($((SECONDS - started)) s)"
    cat "$results/$name.out"
    # 5: nothing collected (e.g. every test deselected as slow) is not a failure of a folder.
    if [ $rc -ne 0 ] && [ $rc -ne 5 ]; then
      echo "!! $group failed (pytest exit $rc)"
      echo "$group" >>"$results/failed"
    fi
  } 9>"$results/print.lock"
}
run_lane() { local group; for group in "$@"; do run_group "$group"; done; }

first=()
second=()
for group in tests/unit tests/functional/*/ tests/integration/*/; do
  group="${group%/}"
  if [[ " ${SECOND_LANE[*]} " == *" $group "* ]]; then second+=("$group"); else first+=("$group"); fi
done
started=$SECONDS
status=0
if [ ${#second[@]} -gt 0 ]; then
  set -m     # the lane in a process group of its own, which cleanup can interrupt whole
  run_lane "${second[@]}" </dev/null &
  lane_pid=$!
  set +m
fi
run_lane "${first[@]}" || status=1
if [ -n "$lane_pid" ]; then
  wait "$lane_pid" || status=1
  lane_pid=
fi
[ -s "$results/failed" ] && status=1
# One closing line for the whole suite, summed over the folders' reports.
.venv/bin/python - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
total = {'tests': 0, 'failures': 0, 'errors': 0, 'skipped': 0}
for path in glob.glob(sys.argv[1] + '/*.xml'):
    for suite in ET.parse(path).getroot().iter('testsuite'):
        for key in total:
            total[key] += int(suite.get(key, 0))
failed = total['failures'] + total['errors']
passed = total['tests'] - failed - total['skipped']
print('suite: %d passed, %d failed, %d skipped' % (passed, failed, total['skipped']))
PY
echo "(in $((SECONDS - started)) s)"
exit $status
