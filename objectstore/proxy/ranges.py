"""HTTP Range headers (RFC 7233 byte ranges) for bodies the proxy assembles itself."""
from objectstore.proxy import utils


def parse(header, length):
    """[(start, end_exclusive)] for ``bytes=...``; None when the header is not a byte
    range (ignored, as RFC 7233 says); 416 when no range is satisfiable."""
    if not header:
        return None
    units, _, spec = header.partition('=')
    if units.strip().lower() != 'bytes' or not spec.strip():
        return None
    ranges = []
    for part in spec.split(','):
        part = part.strip()
        if not part:
            continue
        first, dash, last = part.partition('-')
        if not dash:
            return None
        try:
            if first == '':
                suffix = int(last)
                if suffix <= 0:
                    continue
                ranges.append((max(0, length - suffix), length))
                continue
            start = int(first)
            end = int(last) + 1 if last else length
        except ValueError:
            return None
        if start > end - 1 and last:
            return None  # malformed (last < first): ignore the header
        if start >= length:
            continue
        ranges.append((start, min(end, length)))
    if not ranges:
        raise utils.http_error(416, 'Requested range not satisfiable',
                               **{'Content-Range': 'bytes */%d' % length})
    return ranges
