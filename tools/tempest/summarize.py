"""Count a tempest run's results per service from its subunit stream.

Usage: summarize.py RESULTS_JSON < stream.subunit
Prints one line per tempest.api.<service> (passed, failed, skipped) and the failed tests,
and writes every test's id, status and skip reason (or the end of its traceback) to RESULTS_JSON (the status document
is built from it). Runs with the tempest virtual environment's Python (subunit, testtools).
"""
import collections
import json
import re
import sys

import subunit
import testtools

_SERVICE = re.compile(r'tempest\.api\.(\w+)\.')
_STATUS = {'success': 'passed', 'xfail': 'passed', 'fail': 'failed', 'uxsuccess': 'failed',
           'skip': 'skipped'}


def read_results(stream):
    """[{'id', 'service', 'status', 'reason'}] for every finished test of the stream."""
    results = []

    def on_test(test):
        status = _STATUS.get(test['status'])
        if status is None:  # 'exists' / 'inprogress': listed, never finished
            return
        match = _SERVICE.search(test['id'])
        reason = ''
        if status == 'skipped' and 'reason' in test['details']:
            reason = test['details']['reason'].as_text()
        elif status == 'failed' and 'traceback' in test['details']:
            # The end of the traceback names the failed call or assertion.
            reason = '\n'.join(test['details']['traceback'].as_text().splitlines()[-12:])
        results.append({'id': test['id'], 'service': match.group(1) if match else 'other',
                        'status': status, 'reason': reason})

    case = subunit.ByteStreamToStreamResult(stream, non_subunit_name='stdout')
    sink = testtools.StreamToDict(on_test)
    sink.startTestRun()
    try:
        case.run(sink)
    finally:
        sink.stopTestRun()
    return results


def counts(results):
    """{service: Counter(passed=, failed=, skipped=)} in first-seen order."""
    table = collections.OrderedDict()
    for r in results:
        table.setdefault(r['service'], collections.Counter())[r['status']] += 1
    return table


def main(argv):
    results = read_results(sys.stdin.buffer)
    with open(argv[1], 'w') as f:
        json.dump(results, f, indent=1)
    table = counts(results)
    print('%-16s %7s %7s %7s' % ('service', 'passed', 'failed', 'skipped'))
    for service, c in table.items():
        print('%-16s %7d %7d %7d' % (service, c['passed'], c['failed'], c['skipped']))
    failed = sorted(r['id'] for r in results if r['status'] == 'failed')
    if failed:
        print('\nfailed:')
        for test_id in failed:
            print('  ' + test_id)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
