"""Dynamic large objects: an object with ``X-Object-Manifest: <container>/<prefix>`` reads
as the concatenation of the objects under that prefix (in name order)."""
import json
import urllib.parse

from objectstore.proxy import info
from objectstore.proxy import segments as seg_mod
from objectstore.proxy import utils

PAGE = 10000


class DynamicLargeObject:
    def __init__(self, app, max_segments=10000):
        self.app = app
        self.max_segments = max_segments

    @utils.handle_errors
    def __call__(self, req):
        if info.is_info_request(req):
            return info.add_capability(req, self.app, 'dlo', {
                'max_segments': self.max_segments})
        try:
            _v, account, _c, obj = utils.split_path(utils.path_of(req))
        except Exception:
            return req.get_response(self.app)
        if obj is not None and req.method == 'PUT' and 'X-Object-Manifest' in req.headers:
            self._check_manifest_header(req.headers['X-Object-Manifest'])
        if obj is None or req.method not in ('GET', 'HEAD') or \
                req.GET.get('multipart-manifest') == 'get':
            return req.get_response(self.app)
        resp = req.get_response(self.app)
        manifest = resp.headers.get('X-Object-Manifest')
        if resp.status_int in (304, 412, 416):
            head = utils.subrequest(req.environ, 'HEAD', utils.path_of(req),
                                    source='dlo').get_response(self.app)
            manifest = head.headers.get('X-Object-Manifest')
            if not manifest:
                return resp
        elif resp.status_int // 100 != 2 or not manifest:
            return resp
        utils.close_if_possible(resp)
        headers = resp.headers
        if resp.status_int // 100 != 2:
            headers = head.headers
        return self.assemble(req, account, manifest, headers)

    @staticmethod
    def _check_manifest_header(value):
        value = urllib.parse.unquote(value)
        container, sep, _prefix = value.partition('/')
        if not sep or not container or value.startswith('/'):
            raise utils.http_error(400, 'X-Object-Manifest must be <container>/<prefix>, '
                                   'not %r' % value)

    def _listing(self, req, account, container, prefix):
        rows, marker = [], ''
        while len(rows) <= self.max_segments:
            query = {'format': 'json', 'prefix': prefix, 'limit': PAGE}
            if marker:
                query['marker'] = marker
            resp = utils.subrequest(req.environ, 'GET', '/v1/%s/%s' % (account, container),
                                    query=query, source='dlo').get_response(self.app)
            if resp.status_int == 404:
                return []
            if resp.status_int // 100 != 2:
                raise utils.http_error(resp.status_int if resp.status_int < 500 else 503,
                                       'Cannot list the segments in %s' % container)
            page = json.loads(resp.body or b'[]') if resp.status_int == 200 else []
            rows.extend(page)
            if len(page) < PAGE:
                return rows
            marker = page[-1]['name']
        raise utils.http_error(409, 'More than %d segments' % self.max_segments)

    def assemble(self, req, account, manifest, headers):
        container, _sep, prefix = urllib.parse.unquote(manifest).partition('/')
        rows = self._listing(req, account, container, prefix)
        segments = [seg_mod.Segment('/v1/%s/%s/%s' % (account, container, r['name']),
                                    int(r['bytes']), r.get('hash')) for r in rows]
        etag = seg_mod.slo_etag([r.get('hash') or '' for r in rows])
        denied = seg_mod.check_conditions(req, etag, headers.get('Last-Modified'))
        if denied is not None:
            return denied
        base = {k: v for k, v in headers.items()
                if k.lower() not in ('content-length', 'etag', 'x-trans-id')}
        return seg_mod.respond(req, req.environ, self.app, segments, base, etag)


def filter_factory(global_conf, **local_conf):
    def _filter(app):
        return DynamicLargeObject(app, int(local_conf.get('max_segments', 10000)))
    return _filter
