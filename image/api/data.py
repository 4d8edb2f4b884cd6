"""Image data: upload (PUT /file), download with ranges (GET /file), staging (PUT /stage)."""
import re

import webob

from common import exceptions
from common.wsgi import middleware
from image import access
from image import streams
from image import upload as upload_mod
from image.db import api as image_db

_RANGE = re.compile(r'^bytes=(\d*)-(\d*)$')


def _body_chunks(engine, req):
    """The request body as a stream of chunks; 411 when the client gives no way to know
    where it ends, 415 unless it is application/octet-stream."""
    ctype = (req.content_type or '').lower()
    if ctype != 'application/octet-stream':
        raise exceptions.UnsupportedMediaType('Image data must be sent as '
                                              'application/octet-stream, not %s.'
                                              % (ctype or '(no Content-Type)'))
    chunked = 'chunked' in req.headers.get('Transfer-Encoding', '').lower()
    length = req.content_length
    if length is None and not chunked:
        raise exceptions.LengthRequired('Give a Content-Length or send the data with chunked '
                                        'transfer encoding.')
    return streams.request_chunks(req.environ, None if chunked else length,
                                  engine.conf.image_chunk_size), (None if chunked else length)


def parse_range(header, size):
    """``(offset, length)`` for a single ``bytes=`` range, None for no range; 416 if it
    cannot be satisfied or is not one we serve."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if not match or (not match.group(1) and not match.group(2)):
        raise exceptions.RangeNotSatisfiable('Range %r is not a single byte range '
                                             '(bytes=first-last).' % header,
                                             headers={'Content-Range': 'bytes */%d' % size})
    first, last = match.group(1), match.group(2)
    if not first:  # suffix: the last N bytes
        count = min(int(last), size)
        if count == 0:
            raise exceptions.RangeNotSatisfiable('Range %r selects no bytes.' % header,
                                                 headers={'Content-Range': 'bytes */%d' % size})
        return size - count, count
    first = int(first)
    last = min(int(last), size - 1) if last else size - 1
    if first >= size or last < first:
        raise exceptions.RangeNotSatisfiable('Range %r is outside the %d bytes of the image.'
                                             % (header, size),
                                             headers={'Content-Range': 'bytes */%d' % size})
    return first, last - first + 1


class DataController:
    def __init__(self, engine):
        self.engine = engine

    def upload(self, req, image_id):
        ctx = middleware.get_context(req)
        chunks, length = _body_chunks(self.engine, req)
        store = req.headers.get('X-Image-Meta-Store')
        upload_mod.upload(self.engine, ctx, image_id, chunks, length, store)
        return webob.Response(status=204, content_type=None)

    def stage(self, req, image_id):
        if 'glance-direct' not in self.engine.conf.enabled_import_methods:
            raise exceptions.NotFound('Staging is not enabled (glance-direct import is off).')
        ctx = middleware.get_context(req)
        chunks, length = _body_chunks(self.engine, req)
        upload_mod.stage(self.engine, ctx, image_id, chunks, length)
        return webob.Response(status=204, content_type=None)

    def download(self, req, image_id):
        ctx = middleware.get_context(req)
        with self.engine.db.session() as session:
            image = access.find_image(session, ctx, image_id)
            self.engine.authorize(ctx, 'download_image', image)
            if image.status == 'deactivated' and not ctx.is_admin:
                raise exceptions.Forbidden('The requested image has been deactivated. Image '
                                           'data download is forbidden.')
            locations = image_db.locations(session, image_id)
            size, checksum = image.size, image.checksum
        if not locations or image.status not in ('active', 'deactivated'):
            return webob.Response(status=204, content_type=None)
        wanted = parse_range(req.headers.get('Range'), size)
        resp = webob.Response(content_type='application/octet-stream')
        if wanted is None:
            offset, length = 0, size
            resp.status = 200
            if checksum:
                resp.headers['Content-MD5'] = checksum
        else:
            offset, length = wanted
            resp.status = 206
            resp.headers['Content-Range'] = 'bytes %d-%d/%d' % (offset, offset + length - 1,
                                                                 size)
        resp.headers['Accept-Ranges'] = 'bytes'
        if req.method == 'HEAD':
            resp.headers['Content-Length'] = str(length)
            return resp
        resp.app_iter = self.engine.read_stream(image_id, locations, offset,
                                                length if wanted else None)
        resp.headers['Content-Length'] = str(length)
        return resp
