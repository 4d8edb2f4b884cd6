"""Find the requests answered 500 and the unhandled tracebacks the services logged during a run.

Usage:
  check_logs.py mark LOG_DIR MARK_FILE    remember where every log ends now
  check_logs.py check LOG_DIR MARK_FILE   print what was logged since then that shows a 500
                                          or a traceback; exit 1 when there is any
"""
import glob
import json
import os
import re
import sys

# The access line every API daemon writes (common.wsgi.middleware.RequestId).
_STATUS_500 = re.compile(r'"\s+status=500\b')
# A log record starts with a timestamp; a traceback's lines do not.
_RECORD_START = re.compile(r'^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d')
_TRACEBACK = 'Traceback (most recent call last)'


def mark(log_dir):
    return {path: os.path.getsize(path) for path in glob.glob(os.path.join(log_dir, '*.log'))}


def _new_text(path, offset):
    # A log that shrank was rotated or truncated: read it whole.
    if os.path.getsize(path) < offset:
        offset = 0
    with open(path, 'rb') as f:
        f.seek(offset)
        return f.read().decode('utf-8', 'replace')


def _condensed(record):
    """A traceback's record line, its innermost frame and the exception (the log has all)."""
    if len(record) <= 5:
        return '\n'.join(record)
    frames = [i for i, line in enumerate(record) if line.lstrip().startswith('File "')]
    tail = record[frames[-1]:] if frames else record[-2:]
    return '\n'.join([record[0], '  ...'] + tail[-4:])


def find_problems(log_dir, marks):
    """[(log file name, text)]: each 500 access line, and each traceback with the record it
    belongs to, logged after the marks."""
    problems = []
    for path in sorted(glob.glob(os.path.join(log_dir, '*.log'))):
        lines = _new_text(path, marks.get(path, 0)).splitlines()
        name = os.path.basename(path)
        record = None  # (start line index) of the record being read
        i = 0
        while i < len(lines):
            line = lines[i]
            if _RECORD_START.match(line):
                record = i
            if _STATUS_500.search(line):
                problems.append((name, line))
            elif _TRACEBACK in line:
                start = record if record is not None and record < i else i
                end = i + 1
                while end < len(lines) and not _RECORD_START.match(lines[end]):
                    end += 1
                problems.append((name, _condensed(lines[start:end])))
                i = end
                continue
            i += 1
    return problems


def main(argv):
    if len(argv) != 4 or argv[1] not in ('mark', 'check'):
        print(__doc__, file=sys.stderr)
        return 2
    action, log_dir, mark_file = argv[1:]
    if action == 'mark':
        with open(mark_file, 'w') as f:
            json.dump(mark(log_dir), f)
        return 0
    with open(mark_file) as f:
        marks = json.load(f)
    problems = find_problems(log_dir, marks)
    for name, text in problems:
        print('--- %s\n%s' % (name, text))
    if problems:
        print('\n%d request(s) answered 500 or unhandled traceback(s) in %s during the run'
              % (len(problems), log_dir))
        return 1
    print('no request answered 500 and no traceback in %s during the run' % log_dir)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
