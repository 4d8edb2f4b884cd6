"""Fixtures of the compute API unit tests: the paste app in-process with minted tokens,
a SQLite database and the fake RPC transport."""
import os
import sys
import uuid

import pytest

from common import config
from common.rpc import fake as rpc_fake
from common.testing import inprocess
from common.testing import tokens as test_tokens
from common.wsgi import server as wsgi_server
from compute import conf as compute_conf
from compute.state import ComputeState

# The test modules share helpers (servers' fixtures) by plain import.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))))
PASTE = os.path.join(ROOT, 'etc', 'compute', 'api-paste.ini')
POLICY = os.path.join(ROOT, 'etc', 'compute', 'policy.yaml')


@pytest.fixture
def token_source(tmp_path):
    source = test_tokens.TokenSource(str(tmp_path / 'tokens'))
    yield source
    source.close()


def make_conf(tmp_path, token_url):
    conf = config.ConfigOpts()
    compute_conf.register(conf)
    conf.set_override('state_path', str(tmp_path))
    conf.set_override('transport_url', 'fake://compute-%s' % uuid.uuid4().hex)
    conf.set_override('connection', 'sqlite:///%s' % (tmp_path / 'compute.sqlite'), 'database')
    conf.set_override('www_authenticate_uri', token_url, 'keystone_authtoken')
    conf.set_override('revocation_push', False, 'keystone_authtoken')
    conf.set_override('policy_file', POLICY, 'oslo_policy')
    return conf


class Api:
    """webob requests against the paste app; ``call`` returns (status, body, headers)."""

    def __init__(self, app, tokens):
        self.app = app
        self.tokens = tokens
        self.default = tokens.token('demo')
        self.admin = tokens.admin()
        self.reader = tokens.token('demo', roles=('reader',), user='reader-demo')
        self.other = tokens.token('other')

    def call(self, method, path, body=None, token=None, version=None, raw=None,
             headers=None):
        token = self.default if token is None else token
        headers = dict(headers or {})
        if version:
            headers['OpenStack-API-Version'] = 'compute %s' % version
        return inprocess.call(self.app, method, path, token, body, raw, headers)

    def ok(self, method, path, body=None, token=None, status=None, version=None):
        code, data, _ = self.call(method, path, body, token, version)
        expected = status or {'POST': 200, 'DELETE': 204}.get(method, 200)
        assert code == expected, (code, data)
        return data


@pytest.fixture
def compute_conf_obj(tmp_path, token_source):
    conf = make_conf(tmp_path, token_source.url)
    ComputeState.get(conf).sync_schema()   # what compute-manage db-sync does
    yield conf
    ComputeState.forget(conf)


@pytest.fixture
def api(compute_conf_obj, token_source):
    app = wsgi_server.load_paste_app(PASTE, conf=compute_conf_obj)
    yield Api(app, token_source)
    rpc_fake.reset()
