"""Image data: upload (PUT /file), download with ranges (GET /file), staging (PUT /stage)."""
import re

import webob

from common import exceptions
from common.wsgi import middleware
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
        image = image_db.get_visible(self.engine.db, ctx, image_id)
        self.engine.authorize(ctx, 'download_image', image)
        if image['status'] == 'deactivated' and not ctx.is_admin:
            raise exceptions.Forbidden('The requested image has been deactivated. Image '
                                       'data download is forbidden.')
        locations = image['locations']
        size, checksum = image['size'], image['checksum']
        if not locations or image['status'] not in ('active', 'deactivated'):
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


class StoresController:
    """DELETE /v2/stores/{store_id}/{image_id}: remove one store's copy of an image."""

    def __init__(self, engine):
        self.engine = engine

    def delete_copy(self, req, store_id, image_id):
        ctx = middleware.get_context(req)
        if store_id not in self.engine.stores.by_name:
            raise exceptions.NotFound('Store %s is not available; enabled stores: %s.'
                                      % (store_id, ', '.join(self.engine.stores.names())))

        def check(image):
            self.engine.authorize(ctx, 'delete_image_location', image)
            stores = [loc['store'] for loc in image['locations']]
            if store_id not in stores:
                raise exceptions.NotFound('Image %s is not present in store %s.'
                                          % (image_id, store_id))
            if image['status'] != 'active':
                raise exceptions.Conflict('Image %s is %s; only the copies of an active '
                                          'image can be removed.' % (image_id, image['status']))
            if len(stores) == 1:
                raise exceptions.Forbidden('Store %s holds the only copy of image %s; delete '
                                           'the image instead.' % (store_id, image_id))
        location = image_db.remove_store_copy(self.engine.db, ctx, image_id, store_id, check)
        self.engine.remove_data(image_id, [location])
        return webob.Response(status=204, content_type=None)
