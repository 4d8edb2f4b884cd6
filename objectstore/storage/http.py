"""A small HTTP client for one backend request to one storage node."""
import http.client
import json
import socket
import urllib.parse

from eventlet import timeout as eventlet_timeout


class NodeError(Exception):
    """The node could not be reached or did not answer in time."""


def quote_path(*parts):
    return '/' + '/'.join(urllib.parse.quote(str(p), safe='') for p in parts)


def request(node, method, path, headers=None, body=None, conn_timeout=0.5,
            node_timeout=10.0, replication=False):
    """Send one request; return (status, headers dict lowercased, body bytes).

    ``path`` is already quoted.  Raises NodeError on connection failure or timeout so
    callers treat an unreachable node like a failed write (async pending, handoff)."""
    host = node['replication_ip'] if replication else node['ip']
    port = node['replication_port'] if replication else node['port']
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode('utf-8')
        headers = dict(headers or {}, **{'Content-Type': 'application/json'})
    conn = http.client.HTTPConnection(host, port, timeout=conn_timeout)
    try:
        # eventlet.Timeout bounds the whole exchange, also when the process is not
        # monkey-patched and a socket timeout alone would not fire.
        with eventlet_timeout.Timeout(conn_timeout + node_timeout, NodeError('timeout')):
            conn.connect()
            conn.sock.settimeout(node_timeout)
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    except (OSError, http.client.HTTPException, socket.timeout) as exc:
        raise NodeError('%s %s:%s%s: %s' % (method, host, port, path, exc))
    finally:
        conn.close()
