"""Fixtures of the image unit tests: the paste app in-process with minted tokens."""
import html
import json
import os

import pytest
import webob

from common import config
from common.wsgi import server
from image import conf as image_conf
from image.state import ImageState

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
PASTE = os.path.join(ROOT, 'etc', 'image', 'api-paste.ini')


def _load_tokens_module():
    import importlib.util
    spec = importlib.util.spec_from_file_location('image_tokens',
                                                  os.path.join(HERE, 'image_tokens.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='session')
def image_auth(tmp_path_factory):
    """Minted tokens (fast); image_tokens.py is the one helper, and its IdentityTokens
    gives the functional tests the same calls against the real identity daemon."""
    source = _load_tokens_module().TokenSource(tmp_path_factory.mktemp('image-keys'))
    yield source
    source.close()


class Client:
    """webob requests against the app; ``as_(project, roles)`` picks the caller."""

    def __init__(self, app, auth, project='p-alice', roles=('member', 'reader')):
        self.app, self.auth = app, auth
        self.token = auth.token(project, roles)
        self.project = project

    def as_(self, project, roles=('member', 'reader')):
        return Client(self.app, self.auth, project, roles)

    def request(self, method, path, json_body=None, body=None, headers=None, token=True):
        headers = dict(headers or {})
        if token:
            headers.setdefault('X-Auth-Token', self.token)
        req = webob.Request.blank(path, method=method, headers=headers)
        if json_body is not None:
            req.body = json.dumps(json_body).encode()
            req.content_type = headers.get('Content-Type', 'application/json')
        elif body is not None:
            req.body = body
            req.content_type = headers.get('Content-Type', 'application/octet-stream')
        resp = req.get_response(self.app)
        # Fault bodies are HTML (as Glance's are); tests read the unescaped message.
        resp.msg = html.unescape(resp.text) if resp.content_type == 'text/html' else ''
        return resp

    def get(self, path, **kw):
        return self.request('GET', path, **kw)

    def post(self, path, json_body=None, **kw):
        return self.request('POST', path, json_body=json_body, **kw)

    def patch(self, path, changes, **kw):
        return self.request('PATCH', path, json_body=changes, headers={
            'Content-Type': 'application/openstack-images-v2.1-json-patch'}, **kw)

    def put(self, path, **kw):
        return self.request('PUT', path, **kw)

    def delete(self, path, **kw):
        return self.request('DELETE', path, **kw)

    def create(self, expect=201, **fields):
        fields.setdefault('disk_format', 'raw')
        fields.setdefault('container_format', 'bare')
        resp = self.post('/v2/images', fields)
        assert resp.status_int == expect, resp.text
        return resp.json

    def upload(self, image_id, data, **kw):
        return self.put('/v2/images/%s/file' % image_id, body=data, **kw)


def make_conf(tmp_path, auth_url, backends=None, **overrides):
    conf = config.ConfigOpts()
    image_conf.register(conf)
    image_conf.register_backends(conf, backends or {'file1': 'file', 'file2': 'file'})
    conf.set_override('enabled_backends', backends or {'file1': 'file', 'file2': 'file'})
    conf.set_override('state_path', str(tmp_path))
    conf.set_override('www_authenticate_uri', auth_url, 'keystone_authtoken')
    conf.set_override('revocation_push', False, 'keystone_authtoken')
    conf.set_override('policy_file', os.path.join(ROOT, 'etc', 'image', 'policy.yaml'),
                      'oslo_policy')
    for name, value in overrides.items():
        group, _sep, opt = name.rpartition('__')
        conf.set_override(opt, value, group or 'DEFAULT')
    return conf


@pytest.fixture
def image_app_factory(tmp_path, image_auth):
    """Build the paste app for a config; everything is torn down after the test."""
    built = []

    def build(backends=None, **overrides):
        conf = make_conf(tmp_path / ('env%d' % len(built)), image_auth.url, backends,
                         **overrides)
        ImageState.get(conf).sync_schema()  # what image-manage db-sync does
        app = server.load_paste_app(PASTE, __conf__=config.register_instance(conf))
        built.append(conf)
        return app, ImageState.get(conf).engine

    yield build
    for conf in built:
        ImageState.forget(conf)  # waits for import jobs, closes the database


@pytest.fixture
def image_env(image_app_factory, image_auth):
    app, engine = image_app_factory()
    return Client(app, image_auth), engine


@pytest.fixture
def image_env_with(image_app_factory, image_auth):
    """``image_env_with(backends=..., option=value)``: a client and engine so configured."""
    def build(backends=None, **overrides):
        app, engine = image_app_factory(backends, **overrides)
        return Client(app, image_auth), engine
    return build
