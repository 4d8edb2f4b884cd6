"""What the account, container and object controllers share: node selection, parallel
writes with a majority quorum, reads that fail over to other replicas and handoffs."""
import collections
import logging

import eventlet
import webob

from objectstore.proxy import backend
from objectstore.proxy import info
from objectstore.proxy import utils

LOG = logging.getLogger(__name__)

# Metadata only the account's owner may set (Swift's owner-only headers): a TempURL key
# signs URLs usable without any token, so a user the owner merely shares an account or a
# container with must not choose one (it would outlive the share).
OWNER_ONLY_META = ('temp-url-key', 'temp-url-key-2')
# Response headers hidden from callers who do not own the account: they hold ACLs, the
# secret TempURL keys and the container sync key and destination.
PRIVATE_HEADERS = ('x-container-read', 'x-container-write', 'x-account-access-control',
                   'x-container-sync-key', 'x-container-sync-to') + \
    tuple('x-%s-meta-%s' % (kind, name) for kind in ('account', 'container')
          for name in OWNER_ONLY_META)
_HOP_HEADERS = ('connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer',
                'upgrade', 'proxy-authenticate', 'proxy-authorization')


def quorum_size(replicas):
    return replicas // 2 + 1


class Controller:
    server_type = 'Base'

    def __init__(self, app, account, container=None, obj=None):
        self.app = app
        self.account = account
        self.container = container
        self.obj = obj

    # -- helpers ---------------------------------------------------------
    def authorize(self, req, acl=None):
        """Raise nothing; return the denial response or None (see authz middleware)."""
        return self.app.authorize(req, acl)

    def base_headers(self, req, ts=None):
        return {'X-Timestamp': ts or utils.timestamp(),
                'X-Trans-Id': req.environ.get('openstack.request_id', ''),
                'User-Agent': 'objectstore-proxy'}

    def drop_owner_only_meta(self, req, kind):
        """Forget the owner-only metadata a non-owner sends, silently, as Swift does."""
        if req.environ.get(utils.OWNER):
            return
        for prefix in ('x-%s-meta-' % kind, 'x-remove-%s-meta-' % kind):
            for name in OWNER_ONLY_META:
                if prefix + name in req.headers:
                    del req.headers[prefix + name]

    def copy_headers(self, req, prefixes, names=()):
        """Client headers to pass to the servers: those starting with ``prefixes`` or
        named in ``names`` (lower case)."""
        out = {}
        for key, value in req.headers.items():
            low = key.lower()
            if low.startswith('x-backend-'):
                continue
            if low.startswith(prefixes) or low in names:
                out[key] = value
        return out

    def iter_nodes(self, ring, part, nodes=None):
        """Primaries, then handoffs (as many as configured, default one set)."""
        for node in nodes or ring.get_part_nodes(part):
            yield node
        count = self.app.handoff_count or ring.replica_count
        for i, node in enumerate(ring.get_more_nodes(part)):
            if i >= count:
                break
            yield node

    # -- writes ----------------------------------------------------------
    def make_requests(self, req, ring, part, method, path, headers_list, query_string=''):
        """Send one small request to each primary in parallel (a handoff replaces a
        primary that cannot be reached) and return the quorum answer."""
        nodes = ring.get_part_nodes(part)
        handoffs = self.iter_nodes(ring, part, nodes)
        for _ in nodes:  # skip the primaries in the combined iterator
            next(handoffs)
        pile = eventlet.GreenPile(len(nodes))
        for node, headers in zip(nodes, headers_list):
            pile.spawn(self._one_request, node, handoffs, part, method, path, headers,
                       query_string)
        results = [r for r in pile]
        return self.best_response(req, results, quorum_size(len(nodes)))

    def _one_request(self, node, handoffs, part, method, path, headers, query_string):
        last = (503, {}, b'')
        while node is not None:
            try:
                status, rheaders, body = backend.request(
                    node, part, method, path, headers, query_string,
                    self.app.conn_timeout, self.app.node_timeout)
                if status < 500:
                    return status, rheaders, body
                # a failing or full (507) device: let a handoff take this replica
                LOG.warning('%s %s on %s:%s/%s answered %s', method, path, node['ip'],
                            node['port'], node['device'], status)
                last = (status, rheaders, body)
            except backend.BackendError as exc:
                LOG.warning('%s %s: %s', method, path, exc)
            node = next(handoffs, None)
        return last

    def best_response(self, req, results, quorum, etag=None):
        """The status a majority agrees on (by class), else 503."""
        by_class = collections.defaultdict(list)
        for result in results:
            by_class[result[0] // 100].append(result)
        for klass in (2, 3, 4):
            group = by_class.get(klass, [])
            if len(group) >= quorum:
                status = collections.Counter(r[0] for r in group).most_common(1)[0][0]
                chosen = next(r for r in group if r[0] == status)
                return self._small_response(chosen, req)
        statuses = ', '.join(str(r[0]) for r in results)
        LOG.error('no quorum for %s %s: %s', req.method, req.path, statuses)
        return utils.error_response(503, 'Service unavailable: storage servers answered '
                                    '%s (need %d to agree)' % (statuses, quorum))

    def _small_response(self, result, req):
        status, headers, body = result
        resp = webob.Response(status=status, headerlist=[])
        for key, value in headers.items():
            if key.lower() not in _HOP_HEADERS and key.lower() != 'content-length':
                resp.headers[key] = value
        if req.method != 'HEAD':
            resp.body = body
        return resp

    # -- reads -----------------------------------------------------------
    def get_or_head(self, req, ring, part, path, headers, query_string='', method=None):
        """Read from the first replica that answers well; handoffs are asked only when a
        primary failed.  The body is streamed (``app_iter``), never buffered."""
        method = method or req.method
        nodes = ring.get_part_nodes(part)
        node_iter = self.iter_nodes(ring, part, nodes)
        errors = not_found = 0
        last_404 = None
        for index, node in enumerate(node_iter):
            if index >= len(nodes) and not errors:
                break  # every primary said 404: the object does not exist
            try:
                conn = backend.Connection(node, part, method, path, headers, query_string,
                                          self.app.conn_timeout, self.app.node_timeout)
                resp = conn.response()
            except backend.BackendError as exc:
                LOG.warning('%s %s: %s', req.method, path, exc)
                errors += 1
                continue
            if resp.status >= 500 or resp.status == 507:
                LOG.warning('%s %s on %s:%s/%s answered %s', req.method, path, node['ip'],
                            node['port'], node['device'], resp.status)
                conn.close()
                errors += 1
                continue
            if resp.status == 404:
                not_found += 1
                last_404 = (dict(resp.getheaders()), resp.read())
                conn.close()
                continue
            resumer = None
            if method == 'GET' and resp.status == 200 and 'Range' not in headers:
                resumer = _Resumer(self, node_iter, part, path, headers, query_string,
                                   resp.getheader('ETag'))
            return self._stream_response(method, conn, resp, resumer)
        if not_found:
            resp = webob.Response(status=404, headerlist=[])
            for key, value in last_404[0].items():
                if key.lower().startswith('x-backend-') or key.lower() in _HOP_HEADERS:
                    continue
                if key.lower() != 'content-length':
                    resp.headers[key] = value
            resp.content_type = 'text/plain'
            if method != 'HEAD':
                resp.body = b'Not Found\n'
            return resp
        return utils.error_response(503, 'Service unavailable: no storage server could '
                                    'answer for %s' % path)

    def _stream_response(self, method, conn, resp, resumer):
        headerlist = [(k, v) for k, v in resp.getheaders() if k.lower() not in _HOP_HEADERS]
        if method == 'HEAD' or resp.status in (204, 304):
            conn.close()
            body = []
        else:
            body = BodyIter(conn, resp, self.app.chunk_size, self.app.node_timeout, resumer)
        # app_iter and headers together: setting app_iter later drops Content-Length
        return webob.Response(status=resp.status, headerlist=headerlist, app_iter=body)

    def container_info(self, req, account=None, container=None):
        return info.get_container_info(req.environ, self.app,
                                       account or self.account, container or self.container)

    def account_info(self, req, account=None):
        return info.get_account_info(req.environ, self.app,
                                     account or self.account)


class _Resumer:
    """Continues an interrupted GET from another replica at the byte it stopped."""

    def __init__(self, controller, node_iter, part, path, headers, query_string, etag):
        self.controller = controller
        self.node_iter = node_iter
        self.part = part
        self.path = path
        self.headers = headers
        self.query_string = query_string
        self.etag = etag

    def resume(self, offset):
        app = self.controller.app
        for node in self.node_iter:
            headers = dict(self.headers, Range='bytes=%d-' % offset)
            if self.etag:
                headers['If-Match'] = self.etag
            try:
                conn = backend.Connection(node, self.part, 'GET', self.path, headers,
                                          self.query_string, app.conn_timeout,
                                          app.node_timeout)
                resp = conn.response()
            except backend.BackendError:
                continue
            if resp.status == 206:
                return conn, resp
            conn.close()
        return None


class BodyIter:
    """Streams a backend body in chunks; on a failed read resumes from another replica."""

    def __init__(self, conn, resp, chunk_size, node_timeout, resumer=None):
        self.conn = conn
        self.resp = resp
        self.chunk_size = chunk_size
        self.resumer = resumer
        self.sent = 0
        self.length = resp.getheader('Content-Length')
        self.length = int(self.length) if self.length and self.length.isdigit() else None

    def __iter__(self):
        try:
            while True:
                try:
                    chunk = self.resp.read(self.chunk_size)
                except (OSError, ValueError, Exception) as exc:  # timeout or reset
                    chunk = None
                    error = exc
                if chunk is None or (not chunk and self.length is not None
                                     and self.sent < self.length):
                    if not self._resume(error if chunk is None else 'short body'):
                        raise IOError('backend read failed after %d bytes' % self.sent)
                    continue
                if not chunk:
                    return
                self.sent += len(chunk)
                yield chunk
        finally:
            self.close()

    def _resume(self, why):
        LOG.warning('GET interrupted after %d bytes (%s); resuming elsewhere', self.sent, why)
        self.conn.close()
        if self.resumer is None:
            return False
        found = self.resumer.resume(self.sent)
        if found is None:
            return False
        self.conn, self.resp = found
        self.length = self.sent + int(self.resp.getheader('Content-Length') or 0)
        return True

    def close(self):
        self.conn.close()
