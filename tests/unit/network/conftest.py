"""Fixtures of the network unit tests: the paste app in-process with minted tokens."""
import os
import uuid

import pytest

from common import config
from common.rpc import fake as rpc_fake
from common.testing import inprocess
from common.testing import tokens
from common.wsgi import server as wsgi_server
from network import conf as network_conf
from network.state import NetworkState

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
PASTE = os.path.join(ROOT, 'etc', 'network', 'api-paste.ini')
POLICY = os.path.join(ROOT, 'etc', 'network', 'policy.yaml')


@pytest.fixture
def token_source(tmp_path):
    source = tokens.TokenSource(str(tmp_path / 'tokens'))
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
        token = self.default if token is None else token
        status, data, _ = inprocess.call(self.app, method, path, token, body, raw)
        return status, data

    def ok(self, method, path, body=None, token=None, status=None):
        code, data = self.call(method, path, body, token)
        expected = status or {'POST': 201, 'DELETE': 204}.get(method, 200)
        assert code == expected, (code, data)
        return data


@pytest.fixture
def network_conf_obj(tmp_path, token_source):
    conf = make_conf(tmp_path, token_source.url)
    NetworkState.get(conf).sync_schema()  # what network-manage db-sync does
    yield conf
    NetworkState.forget(conf)


@pytest.fixture
def api(network_conf_obj, token_source):
    app = wsgi_server.load_paste_app(PASTE, conf=network_conf_obj)
    yield Api(app, token_source)
    rpc_fake.reset()
