"""The four running services as one small cloud for cross-service tests (access matrix,
bad-input fuzz, chaos): a real identity-api, image-api, network-api and object store (a
storage node and the proxy), each a daemon subprocess on a free loopback port with its own
SQLite database, all trusting identity's tokens, on a private RabbitMQ vhost. ``database='mysql'``: each service on a fresh database of the
machine's MariaDB instead of SQLite.

    cloud = MiniCloud(workdir).start()
    cloud.apis['image'].url, cloud.token('a-member'), cloud.project_ids['B'], cloud.stop()

Users: ``a-member`` and ``a-reader`` (project A), ``b-member`` (project B), all with
password ``cloud.password``; ``admin`` is identity's bootstrap admin. Services poll
identity for revocation events every second (no push: identity's own broker vhost is not
theirs), so a revoked token is refused by every service within about a second.
"""
import importlib.util
import os
import subprocess
import sys
import time

import requests

from common.testing import daemons
from common.testing import identity as identity_testing

USERS = (('a-member', 'A', 'member'), ('a-reader', 'A', 'reader'),
         ('b-member', 'B', 'member'))


def _storage_cluster_class():
    """The object store's storage node helper of its functional tests (one place only)."""
    path = os.path.join(daemons.REPO, 'tests', 'functional', 'objectstore', 'conftest.py')
    spec = importlib.util.spec_from_file_location('objectstore_cluster_helpers', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.StorageCluster


class Api:
    """One API daemon: ``url``, ``health`` (a path answering without a token), and
    ``kill()`` / ``start()`` for chaos tests (same port, config and data)."""

    def __init__(self, name, module, conf, log, port, health):
        self.name = name
        self.port = port
        self.url = 'http://127.0.0.1:%d' % port
        self.health = health
        self.daemon = daemons.Daemon(module, conf, log)

    def start(self, timeout=60):
        self.daemon.start()
        daemons.wait_http(self.url + self.health, timeout, self.daemon.proc,
                          self.daemon.log_path)
        return self

    def kill(self):
        self.daemon.kill()

    def stop(self):
        return self.daemon.stop()


class Databases:
    """One fresh database per service on the machine's MariaDB (``mysql``, as devstack
    runs), dropped afterwards; ``sqlite``: each daemon's default file."""

    ADMIN = 'mysql+pymysql://root@127.0.0.1/'

    def __init__(self, kind):
        self.kind = kind
        self.prefix = 'minicloud_%s' % os.urandom(4).hex()
        self.made = []

    def url(self, service):
        if self.kind == 'sqlite':
            return None
        name = '%s_%s' % (self.prefix, service)
        self._execute('CREATE DATABASE `%s` CHARACTER SET utf8mb4' % name)
        self.made.append(name)
        return self.ADMIN + name + '?charset=utf8mb4'

    def drop(self):
        for name in self.made:
            self._execute('DROP DATABASE IF EXISTS `%s`' % name)
        self.made = []

    def _execute(self, statement):
        import sqlalchemy as sa
        engine = sa.create_engine(self.ADMIN, isolation_level='AUTOCOMMIT')
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(statement))
        finally:
            engine.dispose()


class MiniCloud:
    password = 'mini-cloud-pw'

    def __init__(self, workdir, database='sqlite'):
        self.workdir = workdir
        self.transport = daemons.private_rabbit_vhost('cs-minicloud')
        self.databases = Databases(database)
        self.identity = identity_testing.IdentityServer(
            os.path.join(workdir, 'identity'), database_url=self.databases.url('identity'))
        self.cluster = None
        self.apis = {}
        self.project_ids = {}
        self.user_ids = {}
        self._tokens = {}

    # start and stop -----------------------------------------------------------------
    def start(self):
        os.makedirs(self.workdir, exist_ok=True)
        self.identity.start()
        self.apis['identity'] = self.identity
        self.identity.health = '/v3'
        self.identity.name = 'identity'
        self.cluster = _storage_cluster_class()(os.path.join(self.workdir, 'storage'))
        self.cluster.start_all()
        for name, (module, health, sections) in self._configs().items():
            root = os.path.join(self.workdir, name)
            os.makedirs(root, exist_ok=True)
            port = daemons.free_port()
            sections['api'].update(bind_host='127.0.0.1', bind_port=port)
            conf = daemons.write_ini(os.path.join(root, name + '.conf'), sections)
            if 'database' in sections:
                # The daemons refuse an old schema: migrate first, as devstack does.
                subprocess.run([sys.executable, '-m', '%s.manage' % name, '--config-file',
                                conf, 'db-sync'], cwd=daemons.REPO, check=True,
                               capture_output=True)
            self.apis[name] = Api(name, module, conf, os.path.join(root, name + '.log'),
                                  port, health).start()
        self._seed()
        return self

    def stop(self):
        for name, api in self.apis.items():
            if name != 'identity':
                api.stop()
        if self.cluster:
            self.cluster.stop_all()
        self.identity.stop()
        self.databases.drop()

    def _database(self, name):
        url = self.databases.url(name)
        return {'connection': url} if url else {}

    def _auth(self):
        return dict(self.identity.service_auth_options(), revocation_push='false',
                    revocation_poll_interval=1)

    def _configs(self):
        repo = daemons.REPO

        def base(name, **extra):
            state = os.path.join(self.workdir, name, 'state')
            os.makedirs(state, exist_ok=True)
            return dict({'state_path': state, 'transport_url': self.transport}, **extra)
        return {
            'image': ('image.cmd', '/versions', {
                'DEFAULT': base('image', enabled_backends='file1:file'),
                'api': {'paste_config': os.path.join(repo, 'etc', 'image', 'api-paste.ini')},
                'database': self._database('image'),
                'glance_store': {'default_backend': 'file1'},
                'file1': {'filesystem_store_datadir': os.path.join(self.workdir, 'image',
                                                                   'files')},
                'keystone_authtoken': self._auth(),
                'oslo_policy': {'policy_file': os.path.join(repo, 'etc', 'image',
                                                            'policy.yaml')}}),
            'network': ('network.cmd', '/', {
                'DEFAULT': base('network'),
                'api': {'paste_config': os.path.join(repo, 'etc', 'network',
                                                     'api-paste.ini')},
                'keystone_authtoken': dict(self._auth(), fault_style='neutron'),
                'database': self._database('network'),
                'ml2': {'tenant_network_types': 'local', 'flat_networks': '*'},
                'oslo_policy': {'policy_file': os.path.join(repo, 'etc', 'network',
                                                            'policy.yaml')}}),
            'objectstore': ('objectstore.proxy.server', '/info', {
                'DEFAULT': base('objectstore'),
                'api': {'paste_config': os.path.join(repo, 'etc', 'objectstore',
                                                     'proxy-paste.ini')},
                'objectstore': {'hash_path_prefix': self.cluster.hash_path_prefix,
                                'hash_path_suffix': self.cluster.hash_path_suffix,
                                'ring_dir': self.cluster.ring_dir},
                'proxy': {'conn_timeout': 0.5, 'node_timeout': 10},
                'keystone_authtoken': dict(self._auth(), delay_auth_decision='true')}),
        }

    def _seed(self):
        admin = self.token('admin')
        roles = {r['name']: r['id'] for r in self.call('identity', 'GET', '/v3/roles',
                                                        admin).json()['roles']}
        for project in ('A', 'B', 'C'):
            resp = self.call('identity', 'POST', '/v3/projects', admin,
                             {'project': {'name': 'mini-' + project}})
            self.project_ids[project] = resp.json()['project']['id']
        for user, project, role in USERS + (('c-member', 'C', 'member'),):
            resp = self.call('identity', 'POST', '/v3/users', admin, {'user': {
                'name': user, 'password': self.password,
                'default_project_id': self.project_ids[project]}})
            self.user_ids[user] = resp.json()['user']['id']
            self.call('identity', 'PUT', '/v3/projects/%s/users/%s/roles/%s' % (
                self.project_ids[project], self.user_ids[user], roles[role]), admin)

    # callers --------------------------------------------------------------------------
    def token(self, user, fresh=False):
        """A project-scoped token of ``user`` (admin: the admin project), cached."""
        if fresh or user not in self._tokens:
            if user == 'admin':
                self._tokens[user] = self.identity.token()
            else:
                project = 'mini-' + dict((u, p) for u, p, _ in USERS + (
                    ('c-member', 'C', 'member'),))[user]
                self._tokens[user] = self.identity.token(user, self.password, project)
        return self._tokens[user]

    def call(self, service, method, path, token=None, body=None, headers=None, data=None,
             timeout=30):
        """A ``requests.Response`` of one call to a service's API."""
        all_headers = dict(headers or {})
        if token:
            all_headers['X-Auth-Token'] = token
        kwargs = {'headers': all_headers, 'timeout': timeout}
        if body is not None:
            kwargs['json'] = body
        if data is not None:
            kwargs['data'] = data
        return requests.request(method, self.apis[service].url + path, **kwargs)

    def account(self, project):
        return '/v1/AUTH_%s' % self.project_ids[project]

    def wait_answering(self, service, timeout=30):
        """Seconds until ``service`` answers its health path again."""
        started = time.monotonic()
        api = self.apis[service]
        daemons.wait_http(api.url + api.health, timeout)
        return time.monotonic() - started
