"""Fixtures of the network unit tests: the paste app in-process with minted tokens."""
import json
import os
import socket
import subprocess
import sys
import time
import uuid

import pytest
import webob

from common import config
from common.auth import tokens
from common.rpc import fake as rpc_fake
from common.wsgi import server as wsgi_server
from network import conf as network_conf
from network import service

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
PASTE = os.path.join(ROOT, 'etc', 'network', 'api-paste.ini')
POLICY = os.path.join(ROOT, 'etc', 'network', 'policy.yaml')


class TokenSource:
    """Mints tokens identity would issue; serves the public keys like identity does.

    The one place tests get tokens from, so it can switch to the real identity fixture.
    """

    def __init__(self, path):
        self.repo = tokens.KeyRepository(os.path.join(path, 'keys'))
        self.repo.setup()
        # identity's /v3/auth/keys as a static file, served by a separate process: an
        # in-process server thread would share the test's (possibly green) sockets.
        docroot = os.path.join(path, 'www')
        os.makedirs(os.path.join(docroot, 'v3', 'auth'))
        with open(os.path.join(docroot, 'v3', 'auth', 'keys'), 'w') as handle:
            json.dump(self.repo.jwks(), handle)
        port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, '-m', 'http.server', str(port), '--bind', '127.0.0.1',
             '--directory', docroot], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = 'http://127.0.0.1:%d' % port
        wait_port(port, self.proc)

    def token(self, project='demo', roles=('member', 'reader'), user=None):
        now = int(time.time())
        user = user or 'user-%s' % project
        return tokens.sign({
            'sub': user, 'name': user, 'udom': {'id': 'default', 'name': 'Default'},
            'methods': ['password'], 'iat': now, 'exp': now + 3600,
            'audit_ids': [uuid.uuid4().hex[:22]],
            'project': {'id': project, 'name': project,
                        'domain': {'id': 'default', 'name': 'Default'}},
            'roles': [{'id': r, 'name': r} for r in roles]}, self.repo)

    def admin(self):
        return self.token('admin', roles=('admin', 'member', 'reader'), user='admin')

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def wait_port(port, proc, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError('process serving port %d exited with %s' % (port, proc.returncode))
        try:
            socket.create_connection(('127.0.0.1', port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError('nothing listens on port %d after %ss' % (port, timeout))


@pytest.fixture
def token_source(tmp_path):
    source = TokenSource(str(tmp_path / 'tokens'))
    yield source
    source.close()


def make_conf(tmp_path, token_url, db_url=None, **overrides):
    conf = config.ConfigOpts()
    network_conf.register(conf)
    conf.set_override('state_path', str(tmp_path))
    conf.set_override('transport_url', 'fake://network-%s' % uuid.uuid4().hex)
    conf.set_override('connection', db_url or 'sqlite:///%s' % (tmp_path / 'network.sqlite'),
                      'database')
    conf.set_override('www_authenticate_uri', token_url, 'keystone_authtoken')
    conf.set_override('revocation_push', False, 'keystone_authtoken')
    conf.set_override('policy_file', POLICY, 'oslo_policy')
    conf.set_override('network_vlan_ranges', ['physnet1:100:102', 'physnet2'],
                      'ml2_type_vlan')
    for (group, name), value in overrides.items():
        conf.set_override(name, value, group)
    return conf


class Api:
    """webob requests against the paste app; ``call`` returns (status, json body)."""

    def __init__(self, app, tokens_):
        self.app = app
        self.tokens = tokens_
        self.default = tokens_.token('demo')

    def call(self, method, path, body=None, token=None, raw=None):
        req = webob.Request.blank(path, method=method)
        token = self.default if token is None else token
        if token:
            req.headers['X-Auth-Token'] = token
        if raw is not None:
            req.body = raw
            req.content_type = 'application/json'
        elif body is not None:
            req.body = json.dumps(body).encode()
            req.content_type = 'application/json'
        resp = req.get_response(self.app)
        data = json.loads(resp.body) if resp.body else None
        return resp.status_int, data

    def ok(self, method, path, body=None, token=None, status=None):
        code, data = self.call(method, path, body, token)
        expected = status or {'POST': 201, 'DELETE': 204}.get(method, 200)
        assert code == expected, (code, data)
        return data


@pytest.fixture
def network_conf_obj(tmp_path, token_source):
    conf = make_conf(tmp_path, token_source.url)
    yield conf
    service.forget_core(conf)


@pytest.fixture
def api(network_conf_obj, token_source):
    app = wsgi_server.load_paste_app(PASTE, conf=network_conf_obj)
    yield Api(app, token_source)
    rpc_fake.reset()
