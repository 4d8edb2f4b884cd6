"""Object versioning for containers with X-Versions-Location (stack: DELETE restores the
previous version) or X-History-Location (history: DELETE archives, then deletes).

Older versions live in the named container of the same account as
``<3 hex digits: name length><name>/<timestamp>``; every archive step runs with the
caller's rights, so the caller must be able to write to that container."""
import json
import urllib.parse

import webob

from objectstore.proxy import info
from objectstore.proxy import utils
from objectstore.proxy.controllers.obj import SLO_PUT
from objectstore.proxy.middleware.copy import _IterReader

_KEEP = ('content-type', 'content-encoding', 'content-disposition', 'x-static-large-object',
         'x-object-manifest', 'x-delete-at')


# printable ASCII but the percent sign: what a stored location keeps as it is
_HEADER_SAFE = ''.join(chr(c) for c in range(0x20, 0x7f) if chr(c) != '%')


def version_prefix(obj):
    return '%03x%s/' % (len(obj.encode('utf-8')), obj)


class VersionedWrites:
    def __init__(self, app):
        self.app = app

    @utils.handle_errors
    def __call__(self, req):
        if info.is_info_request(req):
            return info.add_capability(req, self.app, 'versioned_writes', {})
        try:
            _v, account, container, obj = utils.split_path(utils.path_of(req))
        except Exception:
            return req.get_response(self.app)
        if obj is None and container is not None and req.method in ('PUT', 'POST'):
            self._check_container_headers(req)
            return req.get_response(self.app)
        if obj is None or req.method not in ('PUT', 'DELETE') or \
                req.environ.get(utils.SOURCE) == 'versioned':
            return req.get_response(self.app)
        cinfo = info.get_container_info(req.environ, self.app, account, container)
        if cinfo['status'] // 100 != 2:
            return req.get_response(self.app)
        location = cinfo.get('versions') or cinfo.get('history')
        if not location:
            return req.get_response(self.app)
        location = urllib.parse.unquote(location)
        if req.method == 'PUT':
            self._archive(req, account, container, obj, location)
            return req.get_response(self.app)
        if cinfo.get('history'):
            self._archive(req, account, container, obj, location)
            return req.get_response(self.app)
        return self._restore_previous(req, account, container, obj, location)

    @staticmethod
    def _check_container_headers(req):
        names = [n for n in ('X-Versions-Location', 'X-History-Location')
                 if req.headers.get(n)]
        if len(names) == 2:
            raise utils.http_error(400, 'Only one of X-Versions-Location and '
                                   'X-History-Location may be set')
        for name in names:
            try:
                value = urllib.parse.unquote(req.headers[name], errors='strict')
            except UnicodeDecodeError:
                raise utils.http_error(412, '%s is not UTF-8 once URL-decoded' % name)
            if any(c < ' ' or c == '\x7f' for c in value):
                raise utils.http_error(400, '%s must not contain control characters' % name)
            if '/' in value.strip('/') or not value.strip('/'):
                raise utils.http_error(400, '%s must name a container of this account, not %r'
                                       % (name, value))
            if len(value.encode()) > 256:
                raise utils.http_error(400, '%s is longer than 256 bytes' % name)
            # stored URL-encoded beyond printable ASCII, so the header stays a valid line
            req.headers[name] = urllib.parse.quote(value.strip('/'), safe=_HEADER_SAFE)
        if names:
            # setting one mode clears the other
            other = 'X-History-Location' if names[0] == 'X-Versions-Location' \
                else 'X-Versions-Location'
            req.headers[other] = ''

    def _archive(self, req, account, container, obj, location):
        """Copy the current object (if any) into the versions container."""
        src = utils.subrequest(req.environ, 'GET', '/v1/%s/%s/%s' % (account, container, obj),
                               query={'multipart-manifest': 'get'},
                               source='versioned').get_response(self.app)
        if src.status_int == 404:
            return
        if src.status_int != 200:
            utils.close_if_possible(src)
            raise utils.http_error(src.status_int if src.status_int < 500 else 503,
                                   'Cannot read the current version (%s)' % src.status)
        ts = src.headers.get('X-Timestamp') or utils.timestamp()
        dest = '/v1/%s/%s/%s%s' % (account, location, version_prefix(obj), ts)
        self._put_copy(req, src, dest)

    def _put_copy(self, req, src, dest):
        headers = {k: v for k, v in src.headers.items()
                   if k.lower().startswith('x-object-meta-') or k.lower() in _KEEP}
        headers['Content-Length'] = src.headers.get('Content-Length', '0')
        put = utils.subrequest(req.environ, 'PUT', dest, headers=headers,
                               body=_IterReader(src.app_iter), source='versioned')
        del put.headers['Transfer-Encoding']
        put.content_length = int(headers['Content-Length'])
        put.environ[SLO_PUT] = True
        try:
            resp = put.get_response(self.app)
        finally:
            utils.close_if_possible(src)
        if resp.status_int // 100 != 2:
            raise utils.http_error(resp.status_int if resp.status_int < 500 else 503,
                                   'Cannot write the version to %s (%s)' % (dest, resp.status))

    def _restore_previous(self, req, account, container, obj, location):
        listing = utils.subrequest(
            req.environ, 'GET', '/v1/%s/%s' % (account, location),
            query={'format': 'json', 'prefix': version_prefix(obj), 'reverse': 'on',
                   'limit': 1}, source='versioned').get_response(self.app)
        rows = json.loads(listing.body or b'[]') if listing.status_int == 200 else []
        if not rows:
            return req.get_response(self.app)
        newest = '/v1/%s/%s/%s' % (account, location, rows[0]['name'])
        src = utils.subrequest(req.environ, 'GET', newest, query={'multipart-manifest': 'get'},
                               source='versioned').get_response(self.app)
        if src.status_int != 200:
            utils.close_if_possible(src)
            return req.get_response(self.app)
        self._put_copy(req, src, '/v1/%s/%s/%s' % (account, container, obj))
        resp = utils.subrequest(req.environ, 'DELETE', newest,
                                source='versioned').get_response(self.app)
        utils.close_if_possible(resp)
        return webob.Response(status=204, headerlist=[])


def filter_factory(global_conf, **local_conf):
    return VersionedWrites
