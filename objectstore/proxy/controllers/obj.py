"""Object GET/HEAD/PUT/POST/DELETE: streamed replication to every replica with a quorum."""
import email.utils
import hashlib
import logging
import mimetypes
import time

import eventlet
import webob

from objectstore.proxy import backend
from objectstore.proxy import constraints
from objectstore.proxy import utils
from objectstore.proxy.controllers import base

LOG = logging.getLogger(__name__)

# headers a client may set on an object besides X-Object-Meta-*
OBJECT_HEADERS = ('content-type', 'content-encoding', 'content-disposition', 'x-delete-at',
                  'x-object-manifest', 'x-static-large-object', 'content-language',
                  'cache-control', 'expires')
READ_CONDITIONS = ('range', 'if-match', 'if-none-match', 'if-modified-since',
                   'if-unmodified-since')
SLO_PUT = 'objectstore.slo_put'  # environ flag: the SLO middleware writes a manifest


class ObjectController(base.Controller):
    server_type = 'Object'

    def nodes(self):
        return self.app.object_ring.get_nodes(self.account, self.container, self.obj)

    @property
    def path(self):
        return '/%s/%s/%s' % (self.account, self.container, self.obj)

    def _authorize(self, req, acl_key):
        """Owners pass without a container lookup; others on the container's ACL."""
        denied = self.authorize(req)
        if denied is None:
            return None, None
        cinfo = self.container_info(req)
        if cinfo['status'] >= 300:
            return denied, cinfo
        return self.authorize(req, cinfo[acl_key]), cinfo

    def GETorHEAD(self, req):
        denied, _cinfo = self._authorize(req, 'read_acl')
        if denied is not None:
            return denied
        headers = self.copy_headers(req, (), READ_CONDITIONS)
        headers['X-Trans-Id'] = req.environ.get('openstack.request_id', '')
        part, _nodes = self.nodes()
        resp = self.get_or_head(req, self.app.object_ring, part, self.path, headers)
        if resp.status_int in (200, 206, 304) and 'Accept-Ranges' not in resp.headers:
            resp.headers['Accept-Ranges'] = 'bytes'
        etag = resp.headers.get('ETag')
        if etag:
            # Swift sends an ordinary object's MD5 bare; only assembled large objects
            # (SLO/DLO layers above) carry a quoted ETag
            resp.headers['ETag'] = etag.strip('"')
        return resp

    GET = HEAD = GETorHEAD

    def _container_update_headers(self, headers_list):
        c_part, c_nodes = self.app.container_ring.get_nodes(self.account, self.container)
        for i, headers in enumerate(headers_list):
            node = c_nodes[i % len(c_nodes)]
            headers.update({'X-Container-Host': '%s:%s' % (node['ip'], node['port']),
                            'X-Container-Partition': str(c_part),
                            'X-Container-Device': node['device']})
        return headers_list

    def _writable_container(self, req):
        """Container info of an existing container the caller may write to (or raise)."""
        cinfo = self.container_info(req)
        if cinfo['status'] == 404:
            denied = self.authorize(req)
            if denied is not None:
                raise utils.http_error(denied.status_int, denied.text.strip())
            raise utils.http_error(404, 'Container %s not found' % self.container)
        if cinfo['status'] >= 300:
            raise utils.http_error(503, 'Container %s is unavailable' % self.container)
        denied = self.authorize(req, cinfo['write_acl'])
        if denied is not None:
            raise utils.http_error(denied.status_int, denied.text.strip())
        return cinfo

    def _meta_headers(self, req, now):
        self.app.limits.check_metadata(req, 'object')
        constraints.check_delete_headers(req, now)
        if 'X-Static-Large-Object' in req.headers and not req.environ.get(SLO_PUT):
            raise utils.http_error(400, 'X-Static-Large-Object is set by the server; use '
                                   '?multipart-manifest=put to store a manifest')
        # system metadata only from the proxy's own layers (their sub-requests)
        prefixes = ('x-object-meta-', 'x-object-sysmeta-') if req.environ.get(utils.SOURCE) \
            else ('x-object-meta-',)
        headers = self.copy_headers(req, prefixes, OBJECT_HEADERS)
        if 'Content-Type' in req.headers:
            headers = {k: v for k, v in headers.items() if k.lower() != 'content-type'}
            headers['Content-Type'] = constraints.clean_content_type(req.headers['Content-Type'])
        return headers

    # -- PUT ---------------------------------------------------------------
    def PUT(self, req):
        length = req.headers.get('Content-Length')
        chunked = 'chunked' in req.headers.get('Transfer-Encoding', '').lower()
        if length is not None:
            if not length.isdigit():
                raise utils.http_error(400, 'Invalid Content-Length %r' % length)
            length = int(length)
            if length > self.app.limits.max_file_size:
                raise utils.http_error(413, 'Your request is too large: objects are at most '
                                       '%d bytes (use a segmented upload)'
                                       % self.app.limits.max_file_size)
        elif not chunked:
            raise utils.http_error(411, 'Missing Content-Length or Transfer-Encoding: chunked')
        self._writable_container(req)
        now = time.time()
        ts = self._timestamp(req, now)
        headers = self._meta_headers(req, now)
        headers.update(self.base_headers(req, ts))
        if not req.headers.get('Content-Type') or \
                utils.header_true(req.headers.get('X-Detect-Content-Type')):
            guessed = mimetypes.guess_type(self.obj, strict=False)[0]
            headers['Content-Type'] = guessed or 'application/octet-stream'
        client_etag = (req.headers.get('ETag') or '').strip('"').lower() or None
        if client_etag is not None:
            headers['ETag'] = client_etag
        self._check_if_none_match(req)
        if length is not None:
            headers['Content-Length'] = str(length)
        return self._send_object(req, headers, length, chunked and length is None,
                                 client_etag, ts)

    @staticmethod
    def _timestamp(req, now):
        """The write's timestamp: now, or the original one a verified container sync
        write carries (so the newest version wins in both containers)."""
        return req.environ.get(utils.SYNC_TIMESTAMP) or utils.timestamp(now)

    def _check_if_none_match(self, req):
        value = req.headers.get('If-None-Match')
        if value is None:
            return
        if value.strip() != '*':
            raise utils.http_error(400, 'If-None-Match only accepts * on PUT')
        part, _nodes = self.nodes()
        head = self.get_or_head(req, self.app.object_ring, part, self.path,
                                {'X-Trans-Id': req.environ.get('openstack.request_id', '')},
                                method='HEAD')
        if head.status_int == 200:
            raise utils.http_error(412, 'The object already exists (If-None-Match: *)')
        if head.status_int >= 500:
            raise utils.http_error(503, 'Cannot tell whether the object exists')

    def _connect(self, part, nodes, headers_list, chunked):
        ring = self.app.object_ring
        handoffs = self.iter_nodes(ring, part, nodes)
        for _ in nodes:
            next(handoffs)

        def connect(node, headers):
            while node is not None:
                try:
                    return backend.Connection(node, part, 'PUT', self.path, headers, '',
                                              self.app.conn_timeout, self.app.node_timeout,
                                              chunked=chunked)
                except backend.BackendError as exc:
                    LOG.warning('PUT %s: %s; trying a handoff', self.path, exc)
                    node = next(handoffs, None)
            return None
        pile = eventlet.GreenPile(len(nodes))
        for node, headers in zip(nodes, headers_list):
            pile.spawn(connect, node, headers)
        return [c for c in pile if c is not None]

    def _send_object(self, req, headers, length, chunked, client_etag, ts):
        part, nodes = self.nodes()
        quorum = base.quorum_size(len(nodes))
        headers_list = self._container_update_headers([dict(headers) for _ in nodes])
        conns = self._connect(part, nodes, headers_list, chunked)
        if len(conns) < quorum:
            for conn in conns:
                conn.close()
            raise utils.http_error(503, 'Only %d of %d storage servers reachable (need %d)'
                                   % (len(conns), len(nodes), quorum))
        try:
            md5 = self._stream_body(req, conns, length, quorum)
        except Exception:
            for conn in conns:
                conn.close()
            raise
        etag = md5.hexdigest()
        for conn in conns:
            conn.finish_body()
        pile = eventlet.GreenPile(len(conns))
        for conn in conns:
            pile.spawn(self._collect, conn, etag)
        results = list(pile)
        if client_etag is not None and client_etag != etag:
            # the servers refuse it too (422); say why plainly
            raise utils.http_error(422, 'Unprocessable Entity: the ETag you sent (%s) does '
                                   'not match the MD5 of the body (%s)' % (client_etag, etag))
        while len(results) < len(nodes):
            results.append((503, {}, b''))
        resp = self.best_response(req, results, quorum)
        if resp.status_int == 201:
            resp = webob.Response(status=201, headerlist=[])
            resp.headers['ETag'] = etag
            resp.headers['Last-Modified'] = email.utils.formatdate(
                int(float(ts)) + 1, usegmt=True)
            resp.headers['X-Timestamp'] = ts
            resp.content_type = 'text/html'
            resp.charset = 'UTF-8'
            resp.content_length = 0
        return resp

    def _stream_body(self, req, conns, length, quorum):
        """Copy the client's body to every connection; keep only one chunk in memory."""
        md5 = hashlib.md5()
        source = req.environ['wsgi.input']
        total = 0
        chunk_size = self.app.chunk_size
        limit = self.app.limits.max_file_size
        while length is None or total < length:
            want = chunk_size if length is None else min(chunk_size, length - total)
            try:
                chunk = source.read(want)
            except (OSError, eventlet.Timeout, ValueError) as exc:
                LOG.warning('client read failed during PUT %s: %s', self.path, exc)
                raise utils.http_error(408, 'Request timeout: the body did not arrive')
            if not chunk:
                if length is not None:
                    raise utils.http_error(499, 'Client disconnected after %d of %d bytes'
                                           % (total, length))
                break
            total += len(chunk)
            if total > limit:
                raise utils.http_error(413, 'Your request is too large: objects are at most '
                                       '%d bytes (use a segmented upload)' % limit)
            md5.update(chunk)
            for conn in conns:
                conn.send(chunk)
            live = [c for c in conns if not c.failed]
            if len(live) < quorum:
                raise utils.http_error(503, 'Lost too many storage servers during the upload')
        return md5

    def _collect(self, conn, etag):
        if conn.failed:
            conn.close()
            return 503, {}, b''
        try:
            resp = conn.response()
            body = resp.read()
            headers = dict(resp.getheaders())
            status = resp.status
        except (backend.BackendError, OSError) as exc:
            LOG.warning('PUT %s: %s', self.path, exc)
            return 503, {}, b''
        finally:
            conn.close()
        backend_etag = (headers.get('ETag') or headers.get('Etag') or '').strip('"')
        if status == 201 and backend_etag and backend_etag != etag:
            LOG.error('PUT %s: %s:%s stored ETag %s, sent %s', self.path, conn.node['ip'],
                      conn.node['port'], backend_etag, etag)
            return 503, {}, b''
        return status, headers, body

    # -- POST / DELETE -----------------------------------------------------
    def POST(self, req):
        self._writable_container(req)
        now = time.time()
        headers = self._meta_headers(req, now)
        headers.update(self.base_headers(req, utils.timestamp(now)))
        part, nodes = self.nodes()
        headers_list = self._container_update_headers([dict(headers) for _ in nodes])
        return self.make_requests(req, self.app.object_ring, part, 'POST', self.path,
                                  headers_list)

    def DELETE(self, req):
        self._writable_container(req)
        headers = self.base_headers(req, self._timestamp(req, time.time()))
        part, nodes = self.nodes()
        headers_list = self._container_update_headers([dict(headers) for _ in nodes])
        return self.make_requests(req, self.app.object_ring, part, 'DELETE', self.path,
                                  headers_list)
