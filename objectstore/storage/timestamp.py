"""X-Timestamp values: seconds since the epoch with 5 decimals; the newest write wins."""
import math
import time


def normalize(value):
    """``value`` (str/float) as the canonical 16-character string; ValueError if invalid."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError('%r is not a timestamp' % (value,))
    if math.isnan(number) or number < 0 or number >= 1e10:
        raise ValueError('%r is out of range for a timestamp' % (value,))
    return '%016.05f' % number


def now():
    return normalize(time.time())


def from_header(headers, name='X-Timestamp', required=True):
    """The normalized timestamp in ``headers[name]``; ValueError naming the header."""
    raw = headers.get(name)
    if raw is None:
        if required:
            raise ValueError('missing %s header' % name)
        return None
    try:
        return normalize(raw)
    except ValueError as exc:
        raise ValueError('invalid %s header: %s' % (name, exc))


def to_http_date(value):
    """``Last-Modified`` value: whole seconds rounded up (as Swift clients expect)."""
    return time.strftime('%a, %d %b %Y %H:%M:%S GMT', time.gmtime(math.ceil(float(value))))


def to_iso(value):
    """Listing ``last_modified``: ISO 8601 with microseconds, no zone."""
    number = float(value)
    whole = int(number)
    return '%s.%06d' % (time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(whole)),
                        round((number - whole) * 1e6) % 1000000)
