"""Container sync at the proxy: checks where containers may sync to, and lets in the
writes the sync daemons of the realm's clusters send (objectstore/container/sync.py).

- ``X-Container-Sync-To`` on a container PUT/POST must name a realm and cluster of the
  realms file (``//<realm>/<cluster>/<account>/<container>``): 400 otherwise, so no
  container ever points its changes at a host a tenant chose.
- A PUT or DELETE of an object with ``X-Container-Sync-Auth`` is a sync write: valid only
  when signed with a realm key and the destination container's own
  ``X-Container-Sync-Key`` (401 otherwise).  It is then authorized without a token and
  keeps the original X-Timestamp, so the newest version wins on both sides.
- /info lists the realms and clusters (names only) as ``container_sync``.
"""
import re

from common import config
from objectstore.container import sync_realms
from objectstore.proxy import info
from objectstore.proxy import utils
from objectstore.proxy.controllers.obj import SLO_PUT

_TIMESTAMP = re.compile(r'^\d{10}(\.\d{1,5})?$')
DENIED = 'X-Container-Sync-Auth header not valid; contact cluster operator for support.'


class ContainerSync:
    def __init__(self, app, realms):
        self.app = app
        self.realms = realms

    @utils.handle_errors
    def __call__(self, req):
        if info.is_info_request(req):
            return info.add_capability(req, self.app, 'container_sync',
                                       {'realms': self.realms.as_info()})
        parts = utils.request_parts(req)
        if parts is None:
            return req.get_response(self.app)
        _v, account, container, obj = parts
        if obj is None and container is not None and req.method in ('PUT', 'POST'):
            self._check_sync_to(req.headers.get('X-Container-Sync-To'))
        if 'X-Container-Sync-Auth' in req.headers:
            self._authorize(req, account, container, obj)
        return req.get_response(self.app)

    def _check_sync_to(self, value):
        if not value:
            return
        parsed = sync_realms.parse_sync_to(value)
        if parsed is None or self.realms.endpoint(parsed[0], parsed[1]) is None:
            raise utils.http_error(400, 'X-Container-Sync-To must be //<realm>/<cluster>/'
                                   '<account>/<container> naming a realm and cluster this '
                                   'cluster knows, not %r' % value)

    def _authorize(self, req, account, container, obj):
        if obj is None or req.method not in ('PUT', 'DELETE'):
            raise utils.http_error(400, 'X-Container-Sync-Auth is for object PUT and DELETE')
        timestamp = (req.headers.get('X-Timestamp') or '').strip()
        if not _TIMESTAMP.match(timestamp):
            raise utils.http_error(400, 'A container sync write needs its X-Timestamp')
        cinfo = info.get_container_info(req.environ, self.app, account, container)
        etag = (req.headers.get('ETag') or '').strip('"') if req.method == 'PUT' else ''
        if cinfo['status'] // 100 != 2 or not sync_realms.verify(
                self.realms, req.headers['X-Container-Sync-Auth'], req.method,
                utils.path_of(req), timestamp, etag, cinfo.get('sync_key')):
            raise utils.http_error(401, DENIED)
        if req.method == 'PUT' and not etag:
            raise utils.http_error(400, 'A container sync PUT needs the ETag it signed')
        env = req.environ
        env[utils.AUTHORIZE_OVERRIDE] = True
        env[utils.SYNC_TIMESTAMP] = '%.5f' % float(timestamp)
        if utils.header_true(req.headers.get('X-Static-Large-Object')):
            # the manifest of a synced large object arrives as it is stored
            env[SLO_PUT] = True


def filter_factory(global_conf, **local_conf):
    conf = config.from_paste(global_conf) if '__conf__' in global_conf else None
    realms = sync_realms.from_conf(conf) if conf is not None else sync_realms.Realms()

    def _filter(app):
        return ContainerSync(app, realms)
    return _filter
