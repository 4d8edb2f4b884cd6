"""Negative tests of the WSGI stack every API runs through (issue 16, findings 11 and 12):
the identity, image, network and object store paste pipelines, in-process, get oversize,
deep, malformed and hostile bodies. None answers 500; none echoes a big value back."""
import importlib.util
import io
import json
import os

import pytest
import webob

from common import config
from common.wsgi import server
from identity import bootstrap
from identity import conf as identity_conf
from identity.state import IdentityState
from image import conf as image_conf
from image.state import ImageState
from network import conf as network_conf
from network.state import NetworkState
from objectstore.proxy import conf as proxy_conf
from objectstore.ring import builder as ring_builder
from objectstore.ring import utils as ring_utils

pytestmark = pytest.mark.timeout(120)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
LIMIT = 114688
DEEP = b'[' * 10000 + b']' * 10000


def _paste(service, name='api-paste.ini'):
    return os.path.join(ROOT, 'etc', service, name)


def _token_module():
    path = os.path.join(ROOT, 'tests', 'unit', 'image', 'image_tokens.py')
    spec = importlib.util.spec_from_file_location('image_tokens', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _auth_conf(conf, tmp, url):
    conf.set_override('state_path', str(tmp))
    conf.set_override('www_authenticate_uri', url, 'keystone_authtoken')
    conf.set_override('revocation_push', False, 'keystone_authtoken')
    conf.set_override('transport_url', 'fake://negative-%s' % tmp.name)


class Apps:
    """The four pipelines and a token for the ones that need one."""

    def __init__(self, tmp, tokens):
        self.tokens = tokens
        self.token = tokens.token('p-neg')
        self.confs = {}
        self.identity = self._identity(tmp / 'identity')
        self.image = self._image(tmp / 'image')
        self.network = self._network(tmp / 'network')
        self.objectstore = self._objectstore(tmp / 'objectstore')

    def _identity(self, tmp):
        conf = config.ConfigOpts()
        identity_conf.register(conf)
        tmp.mkdir()
        conf.set_override('state_path', str(tmp))
        conf.set_override('password_hash_cost', 10, 'identity')
        conf.set_override('policy_file', os.path.join(ROOT, 'etc', 'identity', 'policy.yaml'),
                          'oslo_policy')
        state = IdentityState.get(conf)
        state.sync_schema()
        bootstrap.bootstrap(state.db, 'admin', 'admin-pw', hash_cost=10)
        self.confs['identity'] = conf
        return server.load_paste_app(_paste('identity'), conf=conf)

    def _image(self, tmp):
        conf = config.ConfigOpts()
        image_conf.register(conf)
        image_conf.register_backends(conf, {'file1': 'file'})
        conf.set_override('enabled_backends', {'file1': 'file'})
        _auth_conf(conf, tmp, self.tokens.url)
        conf.set_override('policy_file', os.path.join(ROOT, 'etc', 'image', 'policy.yaml'),
                          'oslo_policy')
        ImageState.get(conf).sync_schema()
        self.confs['image'] = conf
        return server.load_paste_app(_paste('image'), conf=conf)

    def _network(self, tmp):
        conf = config.ConfigOpts()
        network_conf.register(conf)
        tmp.mkdir()
        _auth_conf(conf, tmp, self.tokens.url)
        conf.set_override('connection', 'sqlite:///%s' % (tmp / 'network.sqlite'), 'database')
        conf.set_override('policy_file', os.path.join(ROOT, 'etc', 'network', 'policy.yaml'),
                          'oslo_policy')
        NetworkState.get(conf).sync_schema()
        self.confs['network'] = conf
        return server.load_paste_app(_paste('network'), conf=conf)

    def _objectstore(self, tmp):
        tmp.mkdir()
        for kind in ('account', 'container', 'object'):
            builder = ring_builder.RingBuilder(2, 1, 0)
            builder.add_dev('r1z1-127.0.0.1:1/d1', 100)
            builder.rebalance(seed=1)
            builder.write_ring(str(tmp / ('%s.ring.json.gz' % kind)))
        conf = config.ConfigOpts()
        proxy_conf.register(conf)
        _auth_conf(conf, tmp, self.tokens.url)
        conf.set_override('ring_dir', str(tmp), 'objectstore')
        conf.set_override('hash_path_prefix', 'negative', 'objectstore')
        self.confs['objectstore'] = conf
        return server.load_paste_app(_paste('objectstore', 'proxy-paste.ini'), conf=conf)

    def close(self):
        ImageState.forget(self.confs['image'])
        NetworkState.forget(self.confs['network'])
        IdentityState.forget(self.confs['identity'])


@pytest.fixture(scope='module')
def apps(tmp_path_factory):
    tokens = _token_module().TokenSource(tmp_path_factory.mktemp('negative-keys'))
    saved = dict(ring_utils._SECRET)
    built = Apps(tmp_path_factory.mktemp('negative'), tokens)
    yield built
    built.close()
    ring_utils._SECRET.update(saved)
    tokens.close()


def call(apps, service, method, path, body=b'', token=True, content_type='application/json',
         chunked=False, headers=None):
    req = webob.Request.blank(path, method=method, headers=headers or {})
    if token:
        req.headers['X-Auth-Token'] = apps.token
    if chunked:
        # No Content-Length: the body is read until it ends (chunked transfer encoding).
        req.environ['wsgi.input'] = io.BytesIO(body)
        req.environ.pop('CONTENT_LENGTH', None)
        req.environ['wsgi.input_terminated'] = True
        req.environ['HTTP_TRANSFER_ENCODING'] = 'chunked'
    elif body:
        req.body = body
    if content_type:
        req.content_type = content_type
    return req.get_response(getattr(apps, service))


# (service, method, path, needs a token, content type) of a JSON request of each API.
JSON_REQUESTS = [
    ('identity', 'POST', '/v3/auth/tokens', False, 'application/json'),
    ('image', 'POST', '/v2/images', True, 'application/json'),
    ('network', 'POST', '/v2.0/networks', True, 'application/json'),
]


def _fault(resp):
    """The message of a fault in any of the four API styles."""
    if resp.content_type == 'application/json':
        body = resp.json
        for key in ('error', 'NeutronError'):
            if key in body:
                return body[key]['message']
        raise AssertionError(body)
    return resp.text


# A chunked body is cut off when it is read; the object store never reads a POST's body.
@pytest.mark.parametrize('service,method,path,token,ctype,chunked', [
    r + (chunked,) for r in JSON_REQUESTS for chunked in (False, True)] + [
    ('objectstore', 'POST', '/v1/AUTH_p-neg/c/o', True, 'application/octet-stream', False)])
def test_bodies_over_the_limit_answer_413_in_the_apis_own_fault(apps, service, method, path,
                                                                token, ctype, chunked):
    body = json.dumps({'name': 'x' * (LIMIT + 1)}).encode()
    resp = call(apps, service, method, path, body, token, ctype, chunked=chunked)
    assert resp.status_int == 413, (service, resp.status, resp.text[:300])
    assert str(LIMIT) in _fault(resp)
    assert len(resp.body) < 2048
    if service == 'identity':
        assert resp.json['error']['code'] == 413
    elif service == 'network':
        assert 'NeutronError' in resp.json
    else:
        assert resp.content_type == 'text/html'


def test_the_limit_is_configured_per_service(apps, tmp_path):
    conf = apps.confs['network']
    conf.set_override('max_request_body_size', 1024, 'api')
    try:
        app = server.load_paste_app(_paste('network'), conf=conf)
        req = webob.Request.blank('/v2.0/networks', method='POST',
                                  body=json.dumps({'network': {'name': 'y' * 2000}}).encode(),
                                  headers={'X-Auth-Token': apps.token})
        req.content_type = 'application/json'
        assert req.get_response(app).status_int == 413
    finally:
        conf.clear_override('max_request_body_size', 'api')


def test_image_data_and_objects_stream_past_the_limit(apps):
    image = call(apps, 'image', 'POST', '/v2/images', json.dumps(
        {'name': 'big', 'disk_format': 'raw', 'container_format': 'bare'}).encode())
    assert image.status_int == 201, image.text
    data = os.urandom(LIMIT * 4)
    for chunked in (False, True):
        if chunked:
            image = call(apps, 'image', 'POST', '/v2/images', json.dumps(
                {'name': 'big2', 'disk_format': 'raw', 'container_format': 'bare'}).encode())
        resp = call(apps, 'image', 'PUT', '/v2/images/%s/file' % image.json['id'], data,
                    content_type='application/octet-stream', chunked=chunked)
        assert resp.status_int == 204, resp.text
        shown = call(apps, 'image', 'GET', '/v2/images/%s' % image.json['id']).json
        assert shown['size'] == len(data) and shown['status'] == 'active'
    # An object PUT goes past the limit on to the proxy (which finds no storage node here);
    # a POST of the same size to the same object is refused at the limit.
    for method, status in (('PUT', 503), ('POST', 413)):
        resp = call(apps, 'objectstore', method, '/v1/AUTH_p-neg/c/o', data,
                    content_type='application/octet-stream')
        assert resp.status_int == status, (method, resp.status)


@pytest.mark.parametrize('service,method,path,token,ctype', JSON_REQUESTS)
def test_deep_json_answers_400_even_without_a_token(apps, service, method, path, token,
                                                    ctype):
    for body in (DEEP, b'{"a":' * 5000 + b'1' + b'}' * 5000):
        resp = call(apps, service, method, path, body, token, ctype)
        assert resp.status_int == 400, (service, resp.status, resp.text[:300])
        assert 'nested more than 64' in _fault(resp)


@pytest.mark.parametrize('service,method,path,token,ctype', JSON_REQUESTS)
def test_malformed_bodies_answer_4xx(apps, service, method, path, token, ctype):
    bodies = [b'{', b'[]', b'null', b'"text"', b'{"a": NaN}', b'{"a": Infinity}',
              b'\xff\xfe{}', b'{"a": 1' + b'0' * 5000 + b'}', b'{"name": "\\ud800"}',
              b'{"\\udfff": 1}', b'{"name": "\\ud83d"}', b'\x00', b'{"a":1}{"b":2}']
    for body in bodies:
        resp = call(apps, service, method, path, body, token, ctype)
        assert 400 <= resp.status_int < 500, (service, body[:40], resp.status, resp.text[:300])
    resp = call(apps, service, method, path, b'{}', token, 'text/plain')
    assert 400 <= resp.status_int < 500, (service, resp.status)


def test_lone_surrogates_are_refused_with_400(apps):
    cases = [
        ('identity', 'POST', '/v3/auth/tokens', False, {'auth': {'identity': {
            'methods': ['password'], 'password': {'user': {
                'name': '\ud800', 'domain': {'id': 'default'}, 'password': 'x'}}}}}),
        ('image', 'POST', '/v2/images', True, {'name': 'a\udc00b'}),
        ('network', 'POST', '/v2.0/networks', True, {'network': {'name': '\ud800'}}),
    ]
    for service, method, path, token, body in cases:
        raw = json.dumps(body).encode()   # json escapes the surrogate as \ud800
        resp = call(apps, service, method, path, raw, token)
        assert resp.status_int == 400, (service, resp.status, resp.text[:300])
        assert 'surrogate' in _fault(resp)


def test_error_messages_quote_a_short_prefix_of_a_bad_value(apps):
    big = 'z' * 50000
    cases = [
        ('identity', 'POST', '/v3/auth/tokens', False, {'auth': {'identity': {
            'methods': ['password'], 'password': {'user': {
                'name': big, 'domain': {'id': 'default'}, 'password': 'x'}}}}}),
        ('image', 'POST', '/v2/images', True, {'name': big}),
        ('image', 'POST', '/v2/images', True, {'disk_format': big}),
        ('image', 'POST', '/v2/images', True, {big: 'property name'}),
        ('network', 'POST', '/v2.0/networks', True, {'network': {'name': big}}),
        ('network', 'POST', '/v2.0/networks', True, {'network': {big: 1}}),
        ('network', 'POST', '/v2.0/subnets', True, {'subnet': {'network_id': 'n',
                                                               'cidr': big}}),
    ]
    for service, method, path, token, body in cases:
        resp = call(apps, service, method, path, json.dumps(body).encode(), token)
        assert 400 <= resp.status_int < 500, (service, body.keys(), resp.status)
        assert len(resp.body) < 2048, (service, len(resp.body))
        assert 'z' * 100 not in resp.text
