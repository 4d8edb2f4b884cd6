#!/bin/bash
# The test command: install what the tests need (system packages, .venv, running
# RabbitMQ/MariaDB/PostgreSQL), then run the suite.
#   ./run_tests.sh                 unit, functional and integration tests (not the slow ones)
#   ./run_tests.sh tests/unit      any pytest arguments narrow the run
#   SLOW=1 ./run_tests.sh          include tests marked slow (multi-GiB transfers)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$REPO"
tools/install.sh --test
MARK=(-m "not slow")
[ "${SLOW:-0}" = 1 ] && MARK=()
ARGS=("$@")
[ ${#ARGS[@]} -eq 0 ] && ARGS=(tests)
set +e
.venv/bin/python -m pytest "${MARK[@]}" -q -rs --durations=15 "${ARGS[@]}"
rc=$?
set -e
# pytest's 5 means "no tests collected": a real failure for a suite that should have run.
exit $rc
