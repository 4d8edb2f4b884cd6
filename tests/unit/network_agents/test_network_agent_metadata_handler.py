"""The metadata agent's request handling: instance lookup, signature, forwarding."""
import hashlib
import hmac
import http.server
import io
import threading

import pytest

from network.agents.metadata import handler


class Upstream(http.server.BaseHTTPRequestHandler):
    seen = []

    def do_GET(self):
        self.seen.append(dict(self.headers.items(), path=self.path))
        body = b'ok'
        self.send_response(200)
        self.send_header('Content-Type', 'text/plain')
        self.send_header('Content-Length', '2')
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


@pytest.fixture
def upstream():
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Upstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Upstream.seen = []
    yield server.server_address[1]
    server.shutdown()


def call(app, ip, networks='net1', path='/latest/meta-data/'):
    environ = {'REQUEST_METHOD': 'GET', 'PATH_INFO': path, 'QUERY_STRING': '',
               'HTTP_X_FORWARDED_FOR': ip, 'HTTP_X_CIRROSTACK_NETWORK_ID': networks,
               'wsgi.input': io.BytesIO()}
    status = {}
    body = b''.join(app(environ, lambda s, h: status.update(s=s, h=h)))
    return status['s'], body


def lookup(network_id, ip):
    if network_id == 'net2' and ip == '10.97.0.5':
        return [{'id': 'p', 'device_id': 'vm-1', 'device_owner': 'compute:nova',
                 'project_id': 'proj', 'network_id': 'net2', 'mac_address': 'm'}]
    return []


def test_known_address_is_forwarded_signed(upstream):
    app = handler.MetadataApp(lookup, '127.0.0.1', upstream, 'secret')
    status, body = call(app, '10.97.0.5', 'net1,net2')
    assert status.startswith('200') and body == b'ok'
    seen = Upstream.seen[0]
    assert seen['X-Instance-ID'] == 'vm-1' and seen['X-Tenant-ID'] == 'proj'
    assert seen['X-Forwarded-For'] == '10.97.0.5'
    assert seen['X-Instance-ID-Signature'] == hmac.new(b'secret', b'vm-1',
                                                       hashlib.sha256).hexdigest()
    assert seen['path'] == '/latest/meta-data/'


def test_unknown_address_is_404_and_not_forwarded(upstream):
    app = handler.MetadataApp(lookup, '127.0.0.1', upstream, 'secret')
    status, _ = call(app, '10.97.0.6', 'net1,net2')
    assert status.startswith('404')
    assert Upstream.seen == []


def test_router_and_dhcp_ports_are_not_instances():
    app = handler.MetadataApp(lambda n, ip: [{'device_id': 'r', 'device_owner':
                                              'network:router_interface'}], 'h', 1, 's')
    assert call(app, '10.97.0.1')[0].startswith('404')


def test_unreachable_compute_is_502():
    app = handler.MetadataApp(lookup, '127.0.0.1', 1, 'secret')
    assert call(app, '10.97.0.5', 'net2')[0].startswith('502')
