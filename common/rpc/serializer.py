"""JSON (de)serialisation of message bodies.

Values JSON cannot express natively are converted one way only: datetimes
become ISO 8601 strings, sets and tuples become lists, UUIDs and Decimals
become strings. Anything else raises TypeError at the sender, so a bad
argument fails where it is made rather than inside some remote worker.
"""

import datetime
import decimal
import json
import uuid


def _default(value):
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return list(value)
    if isinstance(value, (uuid.UUID, decimal.Decimal)):
        return str(value)
    raise TypeError('%s is not JSON serialisable for RPC: %r'
                    % (type(value).__name__, value))


def dumps(obj):
    """Encode ``obj`` as a JSON text."""
    return json.dumps(obj, default=_default, separators=(',', ':'))


def loads(data):
    """Decode a JSON text (str or UTF-8 bytes)."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        data = bytes(data).decode('utf-8')
    return json.loads(data)
