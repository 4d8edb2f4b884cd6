#!/bin/bash
# The test command: install what the tests need (system packages, .venv, running
# RabbitMQ/MariaDB/PostgreSQL), then run the suite.
#   ./run_tests.sh                 unit, functional and integration tests (not the slow ones)
#   ./run_tests.sh tests/unit      any pytest arguments: one pytest run with them
#   SLOW=1 ./run_tests.sh          include tests marked slow (multi-GiB transfers)
# The whole suite runs as one pytest process per folder (tests/unit, then each folder of
# tests/functional and tests/integration): daemons, threads and RabbitMQ consumers a folder
# starts end with its process and cannot disturb the next folder's tests.
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

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
groups=(tests/unit)
for dir in tests/functional/*/ tests/integration/*/; do groups+=("${dir%/}"); done
status=0
for group in "${groups[@]}"; do
  echo "== $group"
  set +e
  "${PYTEST[@]}" --junitxml="$results/$(echo "$group" | tr / _).xml" "$group"
  rc=$?
  set -e
  # 5: nothing collected (e.g. every test deselected as slow) is not a failure of a folder.
  if [ $rc -ne 0 ] && [ $rc -ne 5 ]; then status=1; echo "!! $group failed (pytest exit $rc)"; fi
done
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
exit $status
