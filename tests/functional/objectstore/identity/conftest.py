"""Fixtures for the object store against the REAL identity daemon.

``real_proxy`` (session): the proxy daemon (``python -m objectstore.proxy.server``) on the
``storage_cluster`` (parent conftest) with ``[keystone_authtoken]`` from
``identity.service_auth_options()`` (signing keys fetched from identity, revocations pushed
over RabbitMQ at transport_url and caught up with the svc user's credentials), and the
object-store endpoint ``<proxy>/v1/AUTH_$(project_id)s`` registered in identity's catalog
(region RegionOne).  Yields a ``RealProxy``: ``.url``, ``.identity``, ``.account(user)``,
``.storage_url(user)``, ``.user_id(user)``, ``.ec2_credential(user)`` -> (access, secret),
``.log_tail()``.
"""
import os
import shutil
import tempfile

import pytest

from common.testing import daemons

TRANSPORT_URL = 'amqp://guest:guest@127.0.0.1:5672//'


class RealProxy:
    def __init__(self, cluster, identity, root):
        self.cluster = cluster
        self.identity = identity
        self.root = root
        self.port = daemons.free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        auth = dict(identity.service_auth_options(), delay_auth_decision='true',
                    revocation_push='true', revocation_poll_interval=30)
        self.conf_path = daemons.write_ini(os.path.join(root, 'proxy-server.conf'), {
            'DEFAULT': {'state_path': root, 'transport_url': TRANSPORT_URL},
            'api': {'bind_host': '127.0.0.1', 'bind_port': self.port,
                    'paste_config': os.path.join(daemons.REPO, 'etc', 'objectstore',
                                                 'proxy-paste.ini'),
                    'client_socket_timeout': 60},
            'objectstore': {'hash_path_prefix': cluster.hash_path_prefix,
                            'hash_path_suffix': cluster.hash_path_suffix,
                            'ring_dir': cluster.ring_dir},
            'proxy': {'conn_timeout': 0.5, 'node_timeout': 10},
            'keystone_authtoken': auth})
        self.daemon = daemons.Daemon('objectstore.proxy.server', self.conf_path,
                                     os.path.join(root, 'proxy.log'))
        self._user_ids = {}
        self.service_id = None

    def start(self):
        self.daemon.start()
        daemons.wait_http(self.url + '/info', 30, self.daemon.proc, self.daemon.log_path)

    def stop(self):
        code = self.daemon.stop()
        self.unregister()
        return code

    def log_tail(self, size=4000):
        return self.daemon.log()[-size:]

    # catalog --------------------------------------------------------------------------
    def register(self):
        admin = self.identity.token('admin')
        status, _, body = self.identity.request('POST', '/v3/services', {'service': {
            'type': 'object-store', 'name': 'swift', 'description': 'object store under test'}},
            admin)
        assert status == 201, body
        self.service_id = body['service']['id']
        for interface in ('public', 'internal'):
            status, _, body = self.identity.request('POST', '/v3/endpoints', {'endpoint': {
                'service_id': self.service_id, 'interface': interface, 'region_id': 'RegionOne',
                'url': self.url + '/v1/AUTH_$(project_id)s'}}, admin)
            assert status == 201, body

    def unregister(self):
        if not self.service_id:
            return
        admin = self.identity.token('admin')
        _, _, body = self.identity.request('GET', '/v3/endpoints?service_id=%s'
                                           % self.service_id, token=admin)
        for endpoint in (body or {}).get('endpoints', []):
            self.identity.request('DELETE', '/v3/endpoints/%s' % endpoint['id'], token=admin)
        self.identity.request('DELETE', '/v3/services/%s' % self.service_id, token=admin)
        self.service_id = None

    # users ------------------------------------------------------------------------------
    def token(self, user):
        """A new token of ``user`` scoped to its own project (admin -> admin, demo -> demo)."""
        return self.identity.token(user, project=user)

    def project_id(self, user):
        if user == 'admin':
            admin = self.identity.token('admin')
            _, _, body = self.identity.request('GET', '/v3/projects?name=admin', token=admin)
            return body['projects'][0]['id']
        return self.identity.project_ids[user]

    def account(self, user):
        return 'AUTH_' + self.project_id(user)

    def storage_url(self, user):
        return '%s/v1/%s' % (self.url, self.account(user))

    def user_id(self, user):
        if user not in self._user_ids:
            admin = self.identity.token('admin')
            _, _, body = self.identity.request('GET', '/v3/users?name=%s' % user, token=admin)
            self._user_ids[user] = body['users'][0]['id']
        return self._user_ids[user]

    def ec2_credential(self, user='demo'):
        """A new EC2 credential of ``user`` on its own project: (access, secret)."""
        token = self.token(user)
        status, _, body = self.identity.request(
            'POST', '/v3/users/%s/credentials/OS-EC2' % self.user_id(user),
            {'tenant_id': self.project_id(user)}, token)
        assert status == 201, body
        return body['credential']['access'], body['credential']['secret']


@pytest.fixture(scope='session')
def real_proxy(storage_cluster, identity):
    root = tempfile.mkdtemp(prefix='objectstore-real-identity-')
    proxy = RealProxy(storage_cluster, identity, root)
    try:
        proxy.start()
        proxy.register()
        yield proxy
    finally:
        code = proxy.stop()
        shutil.rmtree(root, ignore_errors=True)
    assert code == 0, 'proxy did not stop cleanly on SIGTERM (exit %s)' % code


@pytest.fixture
def clean_containers(real_proxy):
    """Register (user, container) pairs; they are emptied and deleted after the test."""
    made = []
    yield made
    import requests
    for user, container in made:
        token = real_proxy.token(user)
        base = '%s/%s' % (real_proxy.storage_url(user), container)
        for _ in range(3):
            resp = requests.get(base, params={'format': 'json'},
                                headers={'X-Auth-Token': token}, timeout=30)
            if resp.status_code != 200 or not resp.json():
                break
            for item in resp.json():
                requests.delete('%s/%s' % (base, item['name']), headers={'X-Auth-Token': token},
                                timeout=30)
        requests.delete(base, headers={'X-Auth-Token': token}, timeout=30)
