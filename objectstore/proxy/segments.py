"""Streaming of large objects (SLO and DLO) assembled from segments, with ranges."""
import hashlib
import logging
import uuid

import webob

from objectstore.proxy import ranges as ranges_mod
from objectstore.proxy import utils

LOG = logging.getLogger(__name__)


class Segment:
    """One piece of a large object: ``path`` (/v1/a/c/o), byte ``start``..``end``
    (exclusive) of that object, and the ETag it must have (or None)."""

    def __init__(self, path, size, etag=None, start=0, end=None):
        self.path = path
        self.etag = etag
        self.start = start
        self.end = size if end is None else end

    @property
    def length(self):
        return self.end - self.start


def slo_etag(etags):
    return hashlib.md5(''.join(etags).encode()).hexdigest()


def _pieces(segments, start, end):
    """(segment, sub_start, sub_end) covering bytes start..end of the whole object."""
    offset = 0
    for seg in segments:
        seg_start, seg_end = offset, offset + seg.length
        offset = seg_end
        if seg_end <= start or seg_start >= end:
            continue
        lo = max(start, seg_start) - seg_start + seg.start
        hi = min(end, seg_end) - seg_start + seg.start
        yield seg, lo, hi


class SegmentIter:
    """Fetches the segments (as sub-requests with the caller's rights) lazily while the
    client reads; a segment that is missing or changed ends the stream early (the client
    sees a short body, as it cannot get a new status after headers went out)."""

    def __init__(self, env, app, segments, byte_ranges=None, total=0, content_type=None,
                 chunk_size=65536):
        self.env = env
        self.app = app
        self.segments = segments
        self.ranges = byte_ranges or [(0, total)]
        self.total = total
        self.content_type = content_type
        self.boundary = uuid.uuid4().hex
        self.chunk_size = chunk_size

    def _fetch(self, seg, lo, hi):
        whole = lo == seg.start and hi == seg.end and seg.start == 0
        headers = {} if whole else {'Range': 'bytes=%d-%d' % (lo, hi - 1)}
        req = utils.subrequest(self.env, 'GET', seg.path, headers=headers,
                               query={'multipart-manifest': 'get'}, source='segments')
        resp = req.get_response(self.app)
        if resp.status_int not in (200, 206):
            utils.close_if_possible(resp)
            raise IOError('segment %s answered %s' % (seg.path, resp.status))
        etag = (resp.headers.get('ETag') or '').strip('"')
        if seg.etag and etag and etag != seg.etag:
            utils.close_if_possible(resp)
            raise IOError('segment %s changed: ETag %s, manifest says %s'
                          % (seg.path, etag, seg.etag))
        try:
            yield from resp.app_iter
        finally:
            utils.close_if_possible(resp)

    def _range_body(self, start, end):
        for seg, lo, hi in _pieces(self.segments, start, end):
            yield from self._fetch(seg, lo, hi)

    def __iter__(self):
        try:
            if len(self.ranges) == 1:
                yield from self._range_body(*self.ranges[0])
                return
            for start, end in self.ranges:
                yield self._part_head(start, end)
                yield from self._range_body(start, end)
                yield b'\r\n'
            yield ('--%s--\r\n' % self.boundary).encode()
        except IOError as exc:
            LOG.error('large object stream stopped: %s', exc)

    def _part_head(self, start, end):
        return ('--%s\r\nContent-Type: %s\r\nContent-Range: bytes %d-%d/%d\r\n\r\n' % (
            self.boundary, self.content_type or 'application/octet-stream', start, end - 1,
            self.total)).encode()

    def multipart_length(self):
        length = 0
        for start, end in self.ranges:
            length += len(self._part_head(start, end)) + (end - start) + 2
        return length + len(('--%s--\r\n' % self.boundary).encode())


def respond(req, env, app, segments, base_headers, etag, chunk_size=65536):
    """The GET/HEAD response of a large object: full, single range (206) or multipart."""
    total = sum(s.length for s in segments)
    content_type = base_headers.get('Content-Type')
    byte_ranges = ranges_mod.parse(req.headers.get('Range'), total) \
        if req.headers.get('Range') else None
    resp = webob.Response(status=200, headerlist=[])
    for key, value in base_headers.items():
        if key.lower() not in ('content-length', 'etag', 'content-range', 'content-type'):
            resp.headers[key] = value
    resp.headers['ETag'] = '"%s"' % etag
    resp.headers['Accept-Ranges'] = 'bytes'
    seg_iter = SegmentIter(env, app, segments, byte_ranges, total, content_type, chunk_size)
    if byte_ranges and len(byte_ranges) == 1:
        start, end = byte_ranges[0]
        resp.status = 206
        resp.headers['Content-Range'] = 'bytes %d-%d/%d' % (start, end - 1, total)
        resp.content_type = content_type or 'application/octet-stream'
        length = end - start
    elif byte_ranges:
        resp.status = 206
        resp.headers['Content-Type'] = 'multipart/byteranges; boundary=%s' % seg_iter.boundary
        length = seg_iter.multipart_length()
    else:
        if content_type:
            resp.headers['Content-Type'] = content_type
        length = total
    resp.app_iter = [] if req.method == 'HEAD' else seg_iter
    resp.headers['Content-Length'] = str(length)
    return resp


def check_conditions(req, etag, last_modified):
    """304/412 for If-Match/If-None-Match/If-Modified-Since against the assembled object."""
    import email.utils
    if_match = req.headers.get('If-Match')
    if if_match and if_match.strip() != '*' and \
            etag not in [t.strip().strip('"') for t in if_match.split(',')]:
        return utils.error_response(412, 'Precondition Failed: ETag does not match')
    if_none = req.headers.get('If-None-Match')
    if if_none and (if_none.strip() == '*' or
                    etag in [t.strip().strip('"') for t in if_none.split(',')]):
        resp = webob.Response(status=304, headerlist=[('ETag', '"%s"' % etag)])
        return resp
    since = req.headers.get('If-Modified-Since')
    if since and last_modified and not if_none:
        try:
            if email.utils.parsedate_to_datetime(last_modified) <= \
                    email.utils.parsedate_to_datetime(since):
                return webob.Response(status=304, headerlist=[('ETag', '"%s"' % etag)])
        except (TypeError, ValueError):
            pass
    return None
