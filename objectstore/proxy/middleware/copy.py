"""Server-side copy: ``COPY`` with ``Destination`` and ``PUT`` with ``X-Copy-From``.

The source is read through the rest of the pipeline with the caller's rights (so a large
object copies as its assembled content) and streamed into the new object."""
import urllib.parse

from objectstore.proxy import info
from objectstore.proxy import utils

_SOURCE_HEADERS = ('content-type', 'content-encoding', 'content-disposition',
                   'content-language', 'cache-control', 'expires')


class _IterReader:
    """File-like view of a response body iterator (read(n) with bounded buffering)."""

    def __init__(self, iterator):
        self._iter = iter(iterator)
        self._buf = b''

    def read(self, size=-1):
        while size < 0 or len(self._buf) < size:
            try:
                chunk = next(self._iter)
            except StopIteration:
                break
            self._buf += chunk
        if size < 0:
            data, self._buf = self._buf, b''
        else:
            data, self._buf = self._buf[:size], self._buf[size:]
        return data


def _split_source(value, what):
    value = urllib.parse.unquote(value or '').lstrip('/')
    container, sep, obj = value.partition('/')
    if not sep or not container or not obj:
        raise utils.http_error(412, '%s must be <container>/<object>, not %r' % (what, value))
    return container, obj


class ServerSideCopy:
    def __init__(self, app):
        self.app = app

    @utils.handle_errors
    def __call__(self, req):
        if info.is_info_request(req):
            return req.get_response(self.app)
        try:
            _v, account, container, obj = utils.split_path(utils.path_of(req))
        except Exception:
            return req.get_response(self.app)
        if obj is None:
            return req.get_response(self.app)
        if req.method == 'COPY':
            if 'Destination' not in req.headers:
                raise utils.http_error(412, 'COPY needs a Destination header')
            dst_c, dst_o = _split_source(req.headers['Destination'], 'Destination')
            dst_account = req.headers.get('Destination-Account') or account
            return self.copy(req, account, container, obj, dst_account, dst_c, dst_o)
        if req.method == 'PUT' and 'X-Copy-From' in req.headers:
            if req.content_length:
                raise utils.http_error(400, 'A copy request (X-Copy-From) takes no body')
            src_c, src_o = _split_source(req.headers['X-Copy-From'], 'X-Copy-From')
            src_account = req.headers.get('X-Copy-From-Account') or account
            return self.copy(req, src_account, src_c, src_o, account, container, obj)
        return req.get_response(self.app)

    def copy(self, req, src_account, src_c, src_o, dst_account, dst_c, dst_o):
        src_path = '/v1/%s/%s/%s' % (src_account, src_c, src_o)
        query = {}
        if req.GET.get('multipart-manifest') == 'get':
            query['multipart-manifest'] = 'get'
        src = utils.subrequest(req.environ, 'GET', src_path, query=query,
                               source='copy').get_response(self.app)
        if src.status_int != 200:
            utils.close_if_possible(src)
            if src.status_int == 404:
                return utils.error_response(404, 'Copy source %s/%s not found'
                                            % (src_c, src_o))
            return src
        headers = {}
        if not utils.header_true(req.headers.get('X-Fresh-Metadata')):
            for key, value in src.headers.items():
                low = key.lower()
                if low.startswith('x-object-meta-') or low in _SOURCE_HEADERS:
                    headers[key] = value
            if query and src.headers.get('X-Object-Manifest'):
                headers['X-Object-Manifest'] = src.headers['X-Object-Manifest']
        for key, value in req.headers.items():
            low = key.lower()
            if low.startswith('x-object-meta-') or low in _SOURCE_HEADERS or low in (
                    'x-delete-at', 'x-delete-after', 'etag', 'if-none-match'):
                headers[key] = value
        if src.headers.get('Content-Length') is not None:
            headers['Content-Length'] = src.headers['Content-Length']
        put = utils.subrequest(req.environ, 'PUT', '/v1/%s/%s/%s' % (dst_account, dst_c, dst_o),
                               headers=headers, body=_IterReader(src.app_iter), source='copy')
        if 'Content-Length' in headers:
            del put.headers['Transfer-Encoding']
            put.content_length = int(headers['Content-Length'])
        try:
            resp = put.get_response(self.app)
        finally:
            utils.close_if_possible(src)
        if resp.status_int == 201:
            # the copy's metadata, as Swift answers a copy (clients show it)
            for key, value in headers.items():
                if key.lower().startswith('x-object-meta-'):
                    resp.headers[key] = value
            resp.headers['X-Copied-From'] = utils.quote('%s/%s' % (src_c, src_o))
            if src_account != dst_account:
                resp.headers['X-Copied-From-Account'] = src_account
            if src.headers.get('Last-Modified'):
                resp.headers['X-Copied-From-Last-Modified'] = src.headers['Last-Modified']
        return resp


def filter_factory(global_conf, **local_conf):
    return ServerSideCopy
