"""TEST HELPER: a whole block storage service in one process for tests: the paste app with
minted tokens (common.testing.tokens), the scheduler and a volume daemon on the fake://
transport, a given volume driver (the file driver with the TEST FAKE of tgtadm in unit
tests, with a real tgtd in integration tests), backups in the TEST FAKE object store and
images from a TEST FAKE image source.  ``Cloud.call``/``ok``/``wait``/``volume`` speak the
v3 API as a client would."""
import json
import os
import time
import uuid

import webob

from blockstore import services as blockstore_services
from blockstore import conf as blockstore_conf
from blockstore.state import BlockstoreState
from common import config
from common.rpc import fake as rpc_fake
from common.testing.fake_objectstore import FakeObjectStore
from common.wsgi import server as wsgi_server

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PASTE = os.path.join(ROOT, 'etc', 'blockstore', 'api-paste.ini')
POLICY = os.path.join(ROOT, 'etc', 'blockstore', 'policy.yaml')


def make_conf(tmp_path, token_url):
    conf = config.ConfigOpts()
    blockstore_conf.register(conf)
    conf.set_override('state_path', str(tmp_path))
    conf.set_override('host', 'node1')
    conf.set_override('transport_url', 'fake://blockstore-%s' % uuid.uuid4().hex)
    conf.set_override('connection', 'sqlite:///%s' % (tmp_path / 'blockstore.sqlite'),
                      'database')
    conf.set_override('www_authenticate_uri', token_url, 'keystone_authtoken')
    conf.set_override('revocation_push', False, 'keystone_authtoken')
    conf.set_override('policy_file', POLICY, 'oslo_policy')
    conf.set_override('volumes_dir', str(tmp_path / 'volumes'), 'backend')
    conf.set_override('volume_backend_name', 'file1', 'backend')
    conf.set_override('backup_chunk_size', 1024 * 1024, 'blockstore')
    return conf


class FakeImages:
    """What the image service would say about images (TEST FAKE): id -> bytes."""

    def __init__(self):
        self.images = {}     # id -> data
        self.created = {}    # id -> what create() was given
        self.uploaded = {}   # id -> (size, first 4 KiB) of what upload() was given
        self.status = {}     # id -> status other than active
        self.min_disk = {}   # id -> min_disk in GiB

    def meta(self, image_id):
        import hashlib
        data = self.images[image_id]
        return {'id': image_id, 'disk_format': 'raw', 'size': len(data),
                'checksum': hashlib.md5(data).hexdigest(), 'os_hash_algo': 'sha512',
                'os_hash_value': hashlib.sha512(data).hexdigest()}

    def show_as(self, ctx, image_id):
        if image_id not in self.images:
            return None
        return {'id': image_id, 'status': self.status.get(image_id, 'active'),
                'size': len(self.images[image_id]), 'virtual_size': None,
                'min_disk': self.min_disk.get(image_id, 0)}

    def fetch(self, image_id):
        yield self.images[image_id]

    def create(self, ctx, body):
        image_id = str(uuid.uuid4())
        self.created[image_id] = dict(body, owner=ctx.project_id)
        return {'id': image_id}

    def upload(self, image_id, data):
        size, head = 0, b''
        for chunk in data.chunks():
            head = head or chunk[:4096]
            size += len(chunk)
        self.uploaded[image_id] = (size, head)  # not the whole GiB: tests run in memory

    def delete(self, image_id):
        self.created.pop(image_id, None)


class Cloud:
    """webob requests against the paste app; ``call`` returns (status, json body)."""

    def __init__(self, app, tokens_, conf, driver, tgt, store, images):
        self.services = []
        self.app, self.tokens, self.conf = app, tokens_, conf
        self.driver, self.tgt, self.store, self.images = driver, tgt, store, images
        self.default = tokens_.token('demo')
        self._projects = {}  # token -> its project, for the /v3/{project_id} prefix

    def call(self, method, path, body=None, token=None, version=None, raw=None):
        if path != '/' and not path.startswith('/v3/'):
            path = '/v3/%s%s' % (self.project_of(token), path)
        req = webob.Request.blank(path, method=method)
        token = self.default if token is None else token
        if token:
            req.headers['X-Auth-Token'] = token
        if version:
            req.headers['OpenStack-API-Version'] = 'volume %s' % version
        if raw is not None:
            req.body, req.content_type = raw, 'application/json'
        elif body is not None:
            req.body = json.dumps(body).encode()
            req.content_type = 'application/json'
        resp = req.get_response(self.app)
        return resp.status_int, (json.loads(resp.body) if resp.body else None)

    def project_of(self, token):
        return self._projects.get(token, 'demo')

    def token(self, project, roles=('member', 'reader')):
        tok = self.tokens.token(project, roles=roles)
        self._projects[tok] = project
        return tok

    def admin(self):
        tok = self.tokens.admin()
        self._projects[tok] = 'admin'
        return tok

    def ok(self, method, path, body=None, token=None, status=None, version=None):
        code, data = self.call(method, path, body, token, version)
        expected = status or {'POST': 202, 'DELETE': 202}.get(method, 200)
        assert code == expected, (method, path, code, data)
        return data

    def wait(self, kind, ident, statuses, token=None, timeout=20):
        """Poll a volume/snapshot/backup until its status is in ``statuses``."""
        deadline = time.monotonic() + timeout
        while True:
            code, body = self.call('GET', '/%ss/%s' % (kind, ident), token=token)
            if code == 404 and 'deleted' in statuses:
                return None
            item = body.get(kind) if body else None
            if item and item['status'] in statuses:
                return item
            if time.monotonic() > deadline:
                raise AssertionError('%s %s stuck: %s' % (kind, ident, (code, body)))
            time.sleep(0.05)

    def volume(self, size=1, token=None, **extra):
        body = self.ok('POST', '/volumes', {'volume': dict({'size': size}, **extra)},
                       token=token)
        return self.wait('volume', body['volume']['id'], ('available', 'error'), token)




def start(tmp_path, token_source, make_driver):
    """A running Cloud; ``make_driver(conf)`` builds the volume driver.  ``stop()`` it."""
    conf = make_conf(tmp_path, token_source.url)
    BlockstoreState.get(conf).sync_schema()  # what blockstore-manage db-sync does
    driver = make_driver(conf)
    store, images = FakeObjectStore(), FakeImages()
    BlockstoreState.get(conf).image_source = images
    services = (blockstore_services.scheduler_services(conf, executor='threading')
                + blockstore_services.volume_services(conf, executor='threading', driver=driver,
                                                      image_source=images, backup_store=store))
    for svc in services:
        svc.start()
    app = wsgi_server.load_paste_app(PASTE, conf=conf)
    cloud = Cloud(app, token_source, conf, driver, getattr(driver, 'tgt', None), store,
                  images)
    cloud.services = services
    return cloud


def stop(cloud):
    for svc in cloud.services:
        svc.stop()
    for svc in cloud.services:
        svc.wait()
    BlockstoreState.forget(cloud.conf)
    rpc_fake.reset()
