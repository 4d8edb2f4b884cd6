"""Fixtures of the image functional tests: the real image-api daemon as a subprocess,
authenticated by the real identity daemon (the session ``identity`` fixture).

- ``image_auth``: callers (tests/unit/image/image_tokens.py ``IdentityTokens``):
  ``token(project, roles)``, ``project_id(project)``, ``os_env(project, roles)``.
- ``image_catalog``: the ``image`` service and its endpoints registered in identity's
  catalog, pointing at a port reserved for the session; ``image_daemon`` listens there, so
  the ``openstack`` CLI and keystoneauth sessions find it by password authentication.
- Every daemon's ``[keystone_authtoken]`` comes from ``identity.service_auth_options()``:
  revocation events are read with the service user's credentials and pushed over RabbitMQ.
- ``image_objectstore``: the object store's storage cluster and proxy (their own test
  helpers, started here against the real identity), its catalog endpoint, and an ``image``
  service user with admin+service roles on project service owning the image data.
"""
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest
import requests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
PYTHON = os.path.join(ROOT, '.venv', 'bin', 'python')


def load_module(name, *path):
    spec = importlib.util.spec_from_file_location(name, os.path.join(ROOT, *path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


image_tokens = load_module('image_tokens', 'tests', 'unit', 'image', 'image_tokens.py')


@pytest.fixture(scope='session')
def image_auth(identity):
    return image_tokens.IdentityTokens(identity)


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def register_endpoint(auth, service_type, name, url):
    """Add ``service_type`` with public and internal endpoints ``url`` to the catalog
    (replacing endpoints an earlier registration left); returns the service id."""
    services = auth._call('GET', '/v3/services?type=%s' % service_type)['services']
    if services:
        service_id = services[0]['id']
        for ep in auth._call('GET', '/v3/endpoints?service_id=%s' % service_id)['endpoints']:
            auth._call('DELETE', '/v3/endpoints/%s' % ep['id'])
    else:
        service_id = auth._call('POST', '/v3/services', {'service': {
            'type': service_type, 'name': name}})['service']['id']
    for interface in ('public', 'internal'):
        auth._call('POST', '/v3/endpoints', {'endpoint': {
            'service_id': service_id, 'interface': interface, 'url': url,
            'region_id': 'RegionOne'}})
    return service_id


@pytest.fixture(scope='session')
def image_catalog(image_auth):
    """The port the cataloged image-api listens on (``http://127.0.0.1:<port>``)."""
    port = free_port()
    register_endpoint(image_auth, 'image', 'glance', 'http://127.0.0.1:%d' % port)
    return port


class Daemon:
    """One image-api process with its own config, state directory and port."""

    def __init__(self, tmp_path, identity, db_url=None, backends='file1:file', extra='',
                 port=None, sections=None):
        self.dir = tmp_path
        self.port = port or free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.conf = tmp_path / 'image.conf'
        self.log = tmp_path / 'image-api.log'
        names = [b.split(':')[0] for b in backends.split(',')]
        auth = ''.join('%s = %s\n' % kv for kv in identity.service_auth_options().items())
        self.conf.write_text(
            '[DEFAULT]\nstate_path = %s\nenabled_backends = %s\nlog_file = %s\n%s\n'
            '[api]\nbind_host = 127.0.0.1\nbind_port = %d\npaste_config = %s\n'
            '[database]\n%s\n'
            '[glance_store]\ndefault_backend = %s\n'
            '[keystone_authtoken]\n%s\n'
            '[oslo_policy]\npolicy_file = %s\n'
            % (tmp_path / 'state', backends, self.log, extra, self.port,
               os.path.join(ROOT, 'etc', 'image', 'api-paste.ini'),
               'connection = %s' % db_url if db_url else '', names[0].strip(), auth,
               os.path.join(ROOT, 'etc', 'image', 'policy.yaml')))
        for section, values in (sections or {}).items():
            self.add_section('\n[%s]\n%s' % (section, ''.join(
                '%s = %s\n' % kv for kv in values.items())))
        self.proc = None

    def add_section(self, text):
        with open(self.conf, 'a') as handle:
            handle.write(text)

    def start(self, timeout=30):
        # image-api refuses an old schema: migrate first, as devstack does.
        subprocess.run([PYTHON, '-m', 'image.manage', '--config-file', str(self.conf),
                        'db-sync'], cwd=ROOT, check=True, capture_output=True)
        self.proc = subprocess.Popen([PYTHON, '-m', 'image.cmd', '--config-file',
                                      str(self.conf)], cwd=ROOT, stdout=subprocess.DEVNULL,
                                     stderr=open(self.dir / 'stderr.txt', 'ab'))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError('image-api exited %s: %s' % (
                    self.proc.returncode, (self.dir / 'stderr.txt').read_text()[-2000:]))
            try:
                if requests.get(self.url + '/versions', timeout=1).status_code == 200:
                    return self
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError('image-api did not answer within %ss' % timeout)

    def stop(self, sig=signal.SIGTERM):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def rss_kib(self):
        """Peak resident memory (VmHWM) of the daemon so far."""
        with open('/proc/%d/status' % self.proc.pid) as handle:
            for line in handle:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1])
        raise RuntimeError('no VmHWM')

    def datadir(self, store='file1'):
        return self.dir / 'state' / 'images' / store

    def logtext(self):
        text = ''
        for path in (self.log, self.dir / 'stderr.txt'):
            if path.exists():
                text += path.read_text(errors='replace')
        return text


@pytest.fixture
def image_daemon_factory(tmp_path, identity):
    started = []

    def make(name='d', **kw):
        path = tmp_path / name
        path.mkdir()
        daemon = Daemon(path, identity, **kw)
        started.append(daemon)
        return daemon

    yield make
    for daemon in started:
        daemon.stop()


@pytest.fixture
def image_daemon(image_daemon_factory, image_catalog):
    """An image-api with two file stores on the port the catalog names."""
    return image_daemon_factory(backends='file1:file,file2:file', port=image_catalog).start()


class Api:
    """requests against a daemon as one caller (a user with ``roles`` on ``project``)."""

    def __init__(self, daemon, auth, project='p-alice', roles=('member', 'reader')):
        self.daemon, self.auth = daemon, auth
        self.token = auth.token(project, roles)
        self.project_id = auth.project_id(project)
        self.s = requests.Session()
        self.s.headers['X-Auth-Token'] = self.token

    def __call__(self, method, path, **kw):
        kw.setdefault('timeout', 60)
        return self.s.request(method, self.daemon.url + path, **kw)


@pytest.fixture
def image_api_for(image_auth, image_daemon_factory):
    """``image_api_for(daemon, project, roles)``: requests to a daemon as that caller.
    The sessions are closed before the daemons stop (an idle keep-alive connection holds
    a graceful stop for the server's 5 s keep-alive time)."""
    made = []

    def make(daemon, project='p-alice', roles=('member', 'reader')):
        made.append(Api(daemon, image_auth, project, roles))
        return made[-1]
    yield make
    for api in made:
        api.s.close()


@pytest.fixture
def image_api(image_daemon, image_api_for):
    def make(project='p-alice', roles=('member', 'reader')):
        return image_api_for(image_daemon, project, roles)
    return make


# The object store ----------------------------------------------------------------------

class ObjectStore:
    """The storage cluster and proxy, and the image service user owning the image data."""

    def __init__(self, identity, auth, cluster, proxy):
        self.identity, self.auth = identity, auth
        self.cluster, self.proxy = cluster, proxy
        self.url = proxy.url
        self.project = 'service'
        self.project_id = auth.project_id('service')
        self.account_url = '%s/v1/AUTH_%s' % (proxy.url, self.project_id)
        self.user, self.password, _ = auth.user('service', ('admin', 'service'), name='image')

    def store_section(self, container='glance', large_mib=None, chunk_mib=None, mode=None):
        """The ini options of an objectstore image store using this object store."""
        section = {'swift_store_user': self.user, 'swift_store_key': self.password,
                   'swift_store_project_name': self.project,
                   'swift_store_auth_address': self.identity.auth_url,
                   'swift_store_container': container}
        if large_mib is not None:
            section['swift_store_large_object_size'] = large_mib
        if chunk_mib is not None:
            section['swift_store_large_object_chunk_size'] = chunk_mib
        if mode is not None:
            section['swift_store_large_object_mode'] = mode
        return section

    def token(self):
        return self.identity.token(self.user, self.password, project=self.project)

    def listing(self, container, token=None):
        """Object names in ``container`` of the image user's account (None: no container)."""
        resp = requests.get('%s/%s?format=json' % (self.account_url, container), timeout=30,
                            headers={'X-Auth-Token': token or self.token()})
        if resp.status_code == 404:
            return None
        resp.raise_for_status()
        return [item['name'] for item in resp.json()] if resp.text.strip() else []


def _objectstore_ready(url, token, account_url):
    """None when a PUT/GET/DELETE through the proxy works, else why not."""
    try:
        container = '%s/image-probe-%d' % (account_url, os.getpid())
        head = {'X-Auth-Token': token}
        for method, target, ok in (('PUT', container, (201, 202)),
                                   ('PUT', container + '/o', (201,)),
                                   ('GET', container + '/o', (200,)),
                                   ('DELETE', container + '/o', (204,)),
                                   ('DELETE', container, (204,))):
            resp = requests.request(method, target, headers=head, data=b'probe'
                                    if target.endswith('/o') and method == 'PUT' else None,
                                    timeout=30)
            if resp.status_code not in ok:
                return '%s %s answered %s %s' % (method, target, resp.status_code,
                                                  resp.text[:300])
    except requests.RequestException as exc:
        return str(exc)
    return None


@pytest.fixture(scope='session')
def image_objectstore(identity, image_auth):
    """The real object store behind the real identity, cataloged as ``object-store``."""
    try:
        cluster_mod = load_module('image_os_cluster', 'tests', 'functional', 'objectstore',
                                  'conftest.py')
        proxy_mod = load_module('image_os_proxy', 'tests', 'functional', 'objectstore',
                                'proxy', 'conftest.py')
    except Exception as exc:  # the object store's test helpers are not there (yet)
        pytest.skip('object store test helpers unavailable: %s' % exc)
    root = tempfile.mkdtemp(prefix='image-objectstore-')
    cluster = cluster_mod.StorageCluster(os.path.join(root, 'cluster'))
    proxy = None
    try:
        cluster.start_all()
        proxy_root = os.path.join(root, 'proxy')
        os.makedirs(proxy_root)
        # The proxy's own helper, pointed at the real identity instead of its fake.
        proxy = proxy_mod.ProxyServer(cluster, proxy_root, identity)
        proxy.start()
        store = ObjectStore(identity, image_auth, cluster, proxy)
        register_endpoint(image_auth, 'object-store', 'swift',
                          proxy.url + '/v1/AUTH_$(project_id)s')
        problem = _objectstore_ready(proxy.url, store.token(), store.account_url)
        if problem:
            pytest.skip('object store proxy not working: %s\n%s' % (problem,
                                                                    proxy.log_tail()[-1500:]))
        yield store
    finally:
        if proxy is not None:
            proxy.stop()
        cluster.stop_all()
        shutil.rmtree(root, ignore_errors=True)
