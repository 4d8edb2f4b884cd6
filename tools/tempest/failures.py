"""Group a run's failed tests by the error that ended them (for doc/tempest-status.md).

Usage: failures.py RESULTS_JSON...   (state/tempest/results/<service>.json)
Prints, most frequent first, each error (ids and numbers masked) with its count and tests.
"""
import collections
import json
import re
import sys

_MASKS = [(re.compile(r'tx[0-9a-f]{21}-[0-9a-f]{10}'), '<tx>'),
          (re.compile(r'req-[0-9a-f-]{36}'), '<req>'),
          (re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'), '<uuid>'),
          (re.compile(r'[0-9a-f]{32}'), '<hex>'),
          (re.compile(r'\d+'), 'N')]


def error_of(reason):
    """The last lines of a traceback that are not frames or code: the error itself."""
    lines = [line for line in reason.splitlines() if line and not line.startswith(' ')]
    text = ' | '.join(lines[-2:]) if lines else '(no traceback)'
    for pattern, mask in _MASKS:
        text = pattern.sub(mask, text)
    return text[:300]


def main(paths):
    groups = collections.defaultdict(list)
    for path in paths:
        with open(path) as f:
            for result in json.load(f):
                if result['status'] == 'failed':
                    groups[error_of(result['reason'])].append(result['id'].split('[')[0])
    for error, tests in sorted(groups.items(), key=lambda item: -len(item[1])):
        print('%d  %s' % (len(tests), error))
        for test_id in tests:
            print('      ' + test_id)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
