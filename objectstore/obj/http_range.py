"""Range and conditional request handling for object GET/HEAD."""
import email.utils
import re

_SPEC = re.compile(r'^\s*(\d*)\s*-\s*(\d*)\s*$')


def parse_range(header, size):
    """List of (start, end-exclusive) satisfiable ranges, [] if none is, None if the header
    is malformed (then it is ignored and the whole object served, as HTTP says)."""
    if not header or not header.strip().lower().startswith('bytes='):
        return None
    ranges = []
    for spec in header.split('=', 1)[1].split(','):
        match = _SPEC.match(spec)
        if not match or (not match.group(1) and not match.group(2)):
            return None
        first, last = match.groups()
        if first:
            start = int(first)
            end = int(last) + 1 if last else size
            if last and int(last) < start:
                return None
            if start >= size:
                continue
            ranges.append((start, min(end, size)))
        else:
            length = int(last)
            if length == 0:
                continue
            ranges.append((max(0, size - length), size))
    return ranges


def _etags(header):
    return [t.strip().strip('"') for t in header.split(',') if t.strip()]


def _date(header):
    try:
        parsed = email.utils.parsedate_to_datetime(header)
        return parsed.timestamp()
    except (TypeError, ValueError, IndexError):
        return None


def check_conditions(headers, etag, last_modified):
    """HTTP status a conditional request gets (412/304), or None to proceed.

    ``last_modified`` is the whole-second value sent as Last-Modified."""
    if_match = headers.get('If-Match')
    if if_match is not None and '*' not in _etags(if_match) and etag not in _etags(if_match):
        return 412
    if_none = headers.get('If-None-Match')
    if if_none is not None and ('*' in _etags(if_none) or etag in _etags(if_none)):
        return 304
    unmod = headers.get('If-Unmodified-Since')
    if unmod is not None and if_match is None:
        when = _date(unmod)
        if when is not None and last_modified > when:
            return 412
    mod = headers.get('If-Modified-Since')
    if mod is not None and if_none is None:
        when = _date(mod)
        if when is not None and last_modified <= when:
            return 304
    return None
