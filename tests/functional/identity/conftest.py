"""Fixtures of the identity functional tests: an admin API helper that names entities
uniquely and deletes what a test created, and a fresh identity daemon for tests that
restart, signal or re-key it."""
import uuid

import pytest

from common.testing import identity as identity_testing

NO_TOKEN = ''


class Api:
    """Calls to an identity daemon as admin (by default), with clean-up of created entities."""

    def __init__(self, server, admin_token):
        self.server = server
        self.admin = admin_token
        self._created = []

    @staticmethod
    def name(prefix):
        return '%s-%s' % (prefix, uuid.uuid4().hex[:10])

    def call(self, method, path, body=None, token=None, headers=None, expect=None):
        """(status, headers, body); ``token=NO_TOKEN`` sends none, None sends admin's."""
        token = self.admin if token is None else token
        status, hdrs, data = self.server.request(method, path, body, token or None, headers)
        if expect is not None:
            assert status == expect, '%s %s -> %s %s' % (method, path, status, data)
        return status, hdrs, data

    def create(self, kind, **attrs):
        """POST /v3/<kind>s as admin; the entity is deleted when the test ends."""
        attrs.setdefault('name', self.name(kind))
        _, _, body = self.call('POST', '/v3/%ss' % kind, {kind: attrs}, expect=201)
        self._created.append((kind, body[kind]['id']))
        return body[kind]

    def user(self, password='pw-' + uuid.uuid4().hex, **attrs):
        user = self.create('user', password=password, **attrs)
        user['password'] = password
        return user

    def role_id(self, name):
        _, _, body = self.call('GET', '/v3/roles?name=%s' % name, expect=200)
        return body['roles'][0]['id']

    def grant(self, user_id, role, project_id=None, domain_id=None, inherited=False):
        target = 'projects/%s' % project_id if project_id else 'domains/%s' % domain_id
        path = '/v3/%s/users/%s/roles/%s' % (target, user_id, self.role_id(role))
        if inherited:
            path = '/v3/OS-INHERIT' + path[3:] + '/inherited_to_projects'
        self.call('PUT', path, expect=204)
        return path

    def auth(self, user, scope=None, password=None):
        """(status, token id, token body) of a password authentication by user id."""
        req = {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
            'id': user['id'], 'password': password or user['password']}}}}}
        if scope is not None:
            req['auth']['scope'] = scope
        status, hdrs, body = self.call('POST', '/v3/auth/tokens', req, token=NO_TOKEN)
        return status, hdrs.get('X-Subject-Token'), body

    def token(self, user, scope=None):
        status, token, body = self.auth(user, scope)
        assert status == 201, body
        return token

    def cleanup(self):
        order = {'user': 0, 'group': 0, 'role': 1, 'project': 2, 'domain': 3}
        for kind, ident in sorted(reversed(self._created), key=lambda c: order.get(c[0], 0)):
            if kind == 'domain':
                self.call('PATCH', '/v3/domains/%s' % ident, {'domain': {'enabled': False}})
            if kind == 'project':
                self._delete_project_tree(ident)
            self.call('DELETE', '/v3/%ss/%s' % (kind, ident))

    def _delete_project_tree(self, project_id):
        _, _, body = self.call('GET', '/v3/projects?parent_id=%s' % project_id)
        for child in (body or {}).get('projects', []):
            self._delete_project_tree(child['id'])
            self.call('DELETE', '/v3/projects/%s' % child['id'])


@pytest.fixture(scope='session')
def admin_token(identity):
    return identity.token()


@pytest.fixture
def api(identity, admin_token):
    helper = Api(identity, admin_token)
    yield helper
    helper.cleanup()


@pytest.fixture
def fresh_identity(tmp_path):
    """An identity daemon of the test's own (for signals, restarts, database URLs)."""
    server = identity_testing.IdentityServer(str(tmp_path))
    server.start()
    yield server
    server.stop()

