"""Unit tests of the objectstore store against a local HTTP server that speaks the few Swift
(and identity token) calls the driver uses.  The real object store is exercised by the
functional tests once it exists."""
import hashlib
import http.server
import json
import os
import threading
import urllib.parse

import pytest

from image.stores import base


class _SwiftState:
    def __init__(self):
        self.objects = {}      # 'container/name' -> bytes
        self.manifests = {}    # 'container/name' -> [segment paths]
        self.dlo = {}          # 'container/name' -> 'container/prefix'
        self.containers = set()
        self.lock = threading.Lock()


def _handler(state, port_holder):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'

        def log_message(self, *args):
            pass

        def _body(self):
            if 'chunked' in self.headers.get('Transfer-Encoding', ''):
                data = b''
                while True:
                    size = int(self.rfile.readline().strip(), 16)
                    if size == 0:
                        self.rfile.readline()
                        return data
                    data += self.rfile.read(size)
                    self.rfile.readline()
            return self.rfile.read(int(self.headers.get('Content-Length') or 0))

        def _send(self, status, body=b'', headers=None):
            self.send_response(status)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            if self.command != 'HEAD':
                self.wfile.write(body)

        def _path(self):
            parsed = urllib.parse.urlsplit(self.path)
            return parsed.path, urllib.parse.parse_qs(parsed.query)

        def do_POST(self):
            self._body()
            if self.path != '/v3/auth/tokens':
                return self._send(404)
            url = 'http://127.0.0.1:%d/v1/AUTH_svc' % port_holder[0]
            token = {'token': {'methods': ['password'], 'expires_at': '2999-01-01T00:00:00Z',
                               'project': {'id': 'svc', 'name': 'service',
                                           'domain': {'id': 'default', 'name': 'Default'}},
                               'user': {'id': 'u', 'name': 'glance',
                                        'domain': {'id': 'default', 'name': 'Default'}},
                               'catalog': [{'type': 'object-store', 'name': 'swift',
                                            'endpoints': [{'interface': 'public',
                                                           'region': 'RegionOne',
                                                           'url': url}]}]}}
            self._send(201, json.dumps(token).encode(), {'X-Subject-Token': 'tok',
                                                         'Content-Type': 'application/json'})

        def _key(self):
            path, query = self._path()
            assert self.headers.get('X-Auth-Token') == 'tok'
            rest = urllib.parse.unquote(path[len('/v1/AUTH_svc/'):])
            return rest, query

        def _data(self, key):
            if key in state.manifests:
                return b''.join(state.objects[p] for p in state.manifests[key])
            if key in state.dlo:
                prefix = state.dlo[key]
                return b''.join(state.objects[k] for k in sorted(state.objects)
                                if k.startswith(prefix))
            return state.objects[key]

        def do_HEAD(self):
            key, _q = self._key()
            if '/' not in key:
                return self._send(204 if key in state.containers else 404)
            return self._send(200 if key in state.objects or key in state.manifests or
                              key in state.dlo else 404)

        def do_PUT(self):
            key, query = self._key()
            body = self._body()
            with state.lock:
                if '/' not in key:
                    state.containers.add(key)
                    return self._send(201)
                if key.split('/')[0] not in state.containers:
                    return self._send(404)
                if 'multipart-manifest' in query:
                    segs = json.loads(body)
                    state.manifests[key] = [s['path'].lstrip('/') for s in segs]
                elif self.headers.get('X-Object-Manifest'):
                    state.dlo[key] = self.headers['X-Object-Manifest']
                else:
                    state.objects[key] = body
            self._send(201, headers={'Etag': hashlib.md5(body).hexdigest()})

        def do_GET(self):
            key, query = self._key()
            if '/' not in key:
                prefix = query.get('prefix', [''])[0]
                marker = query.get('marker', [''])[0]
                names = sorted(k.split('/', 1)[1] for k in state.objects
                               if k.startswith(key + '/' + prefix))
                names = [n for n in names if n > marker]
                return self._send(200, json.dumps([{'name': n} for n in names]).encode())
            try:
                data = self._data(key)
            except KeyError:
                return self._send(404)
            rng = self.headers.get('Range')
            if rng:
                first, last = rng.split('=')[1].split('-')
                last = int(last) if last else len(data) - 1
                part = data[int(first):last + 1]
                return self._send(206, part, {'Content-Range': 'bytes %s-%d/%d' % (
                    first, last, len(data))})
            self._send(200, data)

        def do_DELETE(self):
            key, query = self._key()
            with state.lock:
                if key in state.manifests:
                    segs = state.manifests.pop(key)
                    if 'multipart-manifest' in query:
                        for seg in segs:
                            state.objects.pop(seg, None)
                    return self._send(204)
                if state.dlo.pop(key, None) is not None or \
                        state.objects.pop(key, None) is not None:
                    return self._send(204)
            self._send(404)
    return Handler


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # the driver aborting an upload mid-body is expected in these tests


@pytest.fixture
def swift():
    state = _SwiftState()
    port = [0]
    server = _QuietServer(('127.0.0.1', 0), _handler(state, port))
    port[0] = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = 'http://127.0.0.1:%d' % port[0]
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def os_env(image_env_with, swift):
    def build(mode='slo'):
        return image_env_with(
            backends={'file1': 'file', 'os1': 'objectstore'},
            os1__swift_store_auth_address=swift.url, os1__swift_store_user='glance',
            os1__swift_store_key='secret', os1__swift_store_large_object_size=1,
            os1__swift_store_large_object_chunk_size=1, os1__swift_store_large_object_mode=mode)
    return build


@pytest.mark.parametrize('mode', ['slo', 'dlo'])
def test_segmented_upload_download_delete(os_env, swift, mode):
    client, engine = os_env(mode)
    data = os.urandom(2 * 1024 * 1024 + 12345)
    img = client.create()
    resp = client.upload(img['id'], data, headers={'X-Image-Meta-Store': 'os1'})
    assert resp.status_int == 204, resp.text
    got = client.get('/v2/images/%s' % img['id']).json
    assert got['stores'] == 'os1' and got['checksum'] == hashlib.md5(data).hexdigest()
    segments = [k for k in swift.objects if k.startswith('glance_segments/')]
    assert len(segments) == 3
    assert client.get('/v2/images/%s/file' % img['id']).body == data
    resp = client.get('/v2/images/%s/file' % img['id'], headers={'Range': 'bytes=100-199'})
    assert resp.status_int == 206 and resp.body == data[100:200]
    assert client.delete('/v2/images/%s' % img['id']).status_int == 204
    assert swift.objects == {} and swift.manifests == {} and swift.dlo == {}


def test_small_known_size_is_one_object(os_env, swift):
    client, _engine = os_env()
    img = client.create()
    client.upload(img['id'], b'small data', headers={'X-Image-Meta-Store': 'os1'})
    assert swift.objects == {'glance/%s' % img['id']: b'small data'}


def test_failed_upload_leaves_no_segments(os_env, swift):
    client, engine = os_env()
    img = client.create(disk_format='qcow2')
    resp = client.upload(img['id'], os.urandom(3 * 1024 * 1024),
                         headers={'X-Image-Meta-Store': 'os1'})
    assert resp.status_int == 400
    assert swift.objects == {} and swift.manifests == {}
    assert client.get('/v2/images/%s' % img['id']).json['status'] == 'queued'


def test_copy_between_file_and_objectstore(os_env, swift):
    client, engine = os_env()
    admin = client.as_('p-admin', roles=('admin', 'member', 'reader'))
    img = client.create()
    data = os.urandom(1500 * 1024)
    client.upload(img['id'], data)
    resp = admin.post('/v2/images/%s/import' % img['id'],
                      {'method': {'name': 'copy-image'}, 'stores': ['os1']})
    assert resp.status_int == 202
    engine.imports.wait()
    assert client.get('/v2/images/%s' % img['id']).json['stores'] == 'file1,os1'
    store = engine.stores.get('os1')
    with engine.db.session() as session:
        from image.db import api as image_db
        loc = [l for l in image_db.locations(session, img['id']) if l.store == 'os1'][0]
    assert b''.join(store.get(loc.url, loc.meta)) == data


def test_unreachable_store_is_503_and_killed(image_env_with):
    client, _engine = image_env_with(
        backends={'os1': 'objectstore'}, os1__swift_store_auth_address='http://127.0.0.1:9',
        os1__swift_store_user='glance', os1__swift_store_key='x')
    img = client.create()
    resp = client.upload(img['id'], b'data')
    assert resp.status_int == 503 and 'os1' in resp.msg
    assert client.get('/v2/images/%s' % img['id']).json['status'] == 'killed'


def test_missing_credentials_named(image_env_with):
    client, engine = image_env_with(backends={'os1': 'objectstore'})
    with pytest.raises(base.StoreError, match='swift_store_user'):
        engine.stores.get('os1').session
