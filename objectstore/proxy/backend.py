"""HTTP to the storage servers: one connection per request, timeouts on connect and on
every read, bodies streamed in chunks.

Under the proxy daemon the standard library is monkey-patched by eventlet, so these
blocking calls yield to other green threads.
"""
import http.client
import logging
import socket

from objectstore.proxy import utils

LOG = logging.getLogger(__name__)


class BackendError(Exception):
    """A storage server could not be reached or stopped answering."""


def node_path(node, part, path):
    """``/<device>/<partition>/<quoted path>`` as the storage servers expect it."""
    return '/%s/%d%s' % (node['device'], part, utils.quote(path))


class Connection:
    """A request in progress to one storage node."""

    def __init__(self, node, part, method, path, headers, query_string='',
                 conn_timeout=0.5, node_timeout=10.0, chunked=False):
        self.node = node
        self.chunked = chunked
        self.node_timeout = node_timeout
        self.failed = False
        target = node_path(node, part, path)
        if query_string:
            target += '?' + query_string
        try:
            self.conn = http.client.HTTPConnection(node['ip'], node['port'],
                                                   timeout=conn_timeout)
            self.conn.connect()
            self.conn.sock.settimeout(node_timeout)
            self.conn.putrequest(method, target, skip_host=False, skip_accept_encoding=True)
            for key, value in headers.items():
                if value is None:
                    continue
                self.conn.putheader(key, str(value))
            if chunked:
                self.conn.putheader('Transfer-Encoding', 'chunked')
            self.conn.endheaders()
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise BackendError('%s:%s/%s: %s' % (node['ip'], node['port'], node['device'],
                                                 exc or type(exc).__name__))

    def send(self, data):
        """Send a piece of body; marks the connection failed instead of raising."""
        if self.failed or not data:
            return
        try:
            if self.chunked:
                self.conn.send(b'%x\r\n%s\r\n' % (len(data), data))
            else:
                self.conn.send(data)
        except OSError as exc:
            LOG.warning('sending to %s:%s/%s failed: %s', self.node['ip'],
                        self.node['port'], self.node['device'], exc)
            self.failed = True

    def finish_body(self):
        if self.chunked and not self.failed:
            try:
                self.conn.send(b'0\r\n\r\n')
            except OSError:
                self.failed = True

    def response(self):
        """The node's response (headers read, body not yet); BackendError if none."""
        try:
            return self.conn.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise BackendError('%s:%s/%s: no response: %s' % (
                self.node['ip'], self.node['port'], self.node['device'],
                exc or type(exc).__name__))

    def close(self):
        try:
            self.conn.close()
        except Exception:  # closing a broken socket must never mask the real error
            pass


def request(node, part, method, path, headers, query_string='', conn_timeout=0.5,
            node_timeout=10.0, body=None):
    """A whole small request (no streaming): (status, headers dict, body bytes)."""
    conn = Connection(node, part, method, path, dict(headers, **(
        {'Content-Length': str(len(body))} if body is not None else {})),
        query_string, conn_timeout, node_timeout)
    try:
        if body:
            conn.send(body)
            if conn.failed:
                raise BackendError('sending the body to %s failed' % node['ip'])
        resp = conn.response()
        try:
            data = resp.read()
        except (OSError, http.client.HTTPException) as exc:
            raise BackendError('reading from %s failed: %s' % (node['ip'], exc))
        return resp.status, dict(resp.getheaders()), data
    finally:
        conn.close()


def is_internal_header(name):
    return name.lower().startswith('x-backend-')


def strip_internal(headers):
    """Drop X-Backend-* (internal between proxy and storage) from a header mapping."""
    for name in [n for n in headers.keys() if is_internal_header(n)]:
        del headers[name]
    return headers


__all__ = ['BackendError', 'Connection', 'request', 'node_path', 'strip_internal',
           'socket']
