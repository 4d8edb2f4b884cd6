"""Revoked tokens are refused by identity at once and by another service's auth middleware
(offline validation, revocations pushed over RabbitMQ) within 5 seconds; signing key
rotation keeps old tokens valid and new ones verifiable."""
import base64
import json
import subprocess
import sys
import time

import pytest
import webob
import webob.dec

from common import config
from common import service
from common.auth import middleware as auth_mw
from common.testing import daemons

TRANSPORT_URL = 'amqp://guest:guest@127.0.0.1:5672//'
OFFLINE_DEADLINE = 5.0

pytestmark = pytest.mark.timeout(90)


class Guarded:
    """A tiny WSGI app behind AuthProtocol, called in-process."""

    def __init__(self, identity):
        conf = config.ConfigOpts()
        service.register_opts(conf)
        auth_mw.register_opts(conf)
        for key, value in identity.service_auth_options().items():
            conf.set_override(key, value, auth_mw.GROUP)
        conf.set_override('transport_url', TRANSPORT_URL)
        self.seen = []
        self.protocol = auth_mw.AuthProtocol.from_conf(self._app, conf)

    @webob.dec.wsgify
    def _app(self, req):
        self.seen.append(req.headers.get('X-User-Id'))
        return webob.Response(json_body={'user': req.headers.get('X-User-Id')})

    def status(self, token):
        req = webob.Request.blank('/', headers={'X-Auth-Token': token})
        return req.get_response(self.protocol).status_int

    def wait_refused(self, token, deadline=OFFLINE_DEADLINE):
        """Seconds until the middleware answers 401 for ``token``; fails after ``deadline``."""
        start = time.monotonic()
        while True:
            if self.status(token) == 401:
                return time.monotonic() - start
            if time.monotonic() - start > deadline:
                pytest.fail('token still accepted %.1fs after revocation' % deadline)
            time.sleep(0.05)

    def stop(self):
        self.protocol.tracker.stop()


@pytest.fixture
def guarded(identity):
    g = Guarded(identity)
    yield g
    g.stop()


def _accepted(guarded, token, user_id):
    guarded.seen.clear()
    assert guarded.status(token) == 200
    assert guarded.seen == [user_id]


def test_revoked_token_refused_by_identity_and_middleware(identity, api, guarded):
    user = api.user()
    project = api.create('project')
    api.grant(user['id'], 'member', project['id'])
    token = api.token(user, {'project': {'id': project['id']}})
    _accepted(guarded, token, user['id'])

    # The token's own user revokes it.
    status, _, _ = api.call('DELETE', '/v3/auth/tokens', token=token,
                            headers={'X-Subject-Token': token})
    assert status == 204
    status, _, body = api.call('GET', '/v3/auth/tokens', headers={'X-Subject-Token': token})
    assert status == 404 and 'revoked' in body['error']['message']
    status, hdrs, body = api.call('GET', '/v3/auth/projects', token=token)
    assert status == 401 and body['error']['code'] == 401
    assert 'www-authenticate' in {k.lower() for k in hdrs}
    guarded.wait_refused(token)
    # The middleware answers 401 in identity's fault format.
    resp = webob.Request.blank('/', headers={'X-Auth-Token': token}).get_response(
        guarded.protocol)
    assert resp.json['error']['code'] == 401 and 'WWW-Authenticate' in resp.headers

    # A revoked token cannot buy a new one either.
    status, _, _ = api.call('POST', '/v3/auth/tokens', {'auth': {'identity': {
        'methods': ['token'], 'token': {'id': token}}}}, token='')
    assert status == 401


def test_other_tokens_of_the_user_survive_a_single_revocation(api, guarded):
    user = api.user()
    project = api.create('project')
    api.grant(user['id'], 'member', project['id'])
    first = api.token(user, {'project': {'id': project['id']}})
    second = api.token(user, {'project': {'id': project['id']}})
    api.call('DELETE', '/v3/auth/tokens', headers={'X-Subject-Token': first}, expect=204)
    guarded.wait_refused(first)
    _accepted(guarded, second, user['id'])
    api.call('GET', '/v3/auth/tokens', headers={'X-Subject-Token': second}, expect=200)


def _change_password(api, user, token):
    api.call('POST', '/v3/users/%s/password' % user['id'], {'user': {
        'original_password': user['password'], 'password': 'new-' + user['password']}},
        token=token, expect=204)


def _disable(api, user, _token):
    api.call('PATCH', '/v3/users/%s' % user['id'], {'user': {'enabled': False}}, expect=200)


def _admin_password_reset(api, user, _token):
    api.call('PATCH', '/v3/users/%s' % user['id'], {'user': {'password': 'reset-pw'}},
             expect=200)


@pytest.mark.parametrize('change', [_disable, _change_password, _admin_password_reset],
                         ids=['disable-user', 'change-password', 'admin-password-reset'])
def test_user_changes_revoke_tokens_offline(api, guarded, change):
    user = api.user()
    project = api.create('project')
    api.grant(user['id'], 'member', project['id'])
    token = api.token(user, {'project': {'id': project['id']}})
    unscoped = api.token(user)
    _accepted(guarded, token, user['id'])
    change(api, user, token)
    guarded.wait_refused(token)
    guarded.wait_refused(unscoped)
    api.call('GET', '/v3/auth/tokens', headers={'X-Subject-Token': token}, expect=404)


def test_removing_a_role_assignment_revokes_tokens_offline(api, guarded):
    user = api.user()
    project, other = api.create('project'), api.create('project')
    grant = api.grant(user['id'], 'member', project['id'])
    api.grant(user['id'], 'member', other['id'])
    token = api.token(user, {'project': {'id': project['id']}})
    other_token = api.token(user, {'project': {'id': other['id']}})
    _accepted(guarded, token, user['id'])
    api.call('DELETE', grant, expect=204)
    guarded.wait_refused(token)
    api.call('GET', '/v3/auth/tokens', headers={'X-Subject-Token': token}, expect=404)
    # Only tokens for the project that lost the role are revoked.
    _accepted(guarded, other_token, user['id'])
    status, _, _ = api.auth(user, {'project': {'id': project['id']}})
    assert status == 401


def test_removing_group_membership_revokes_tokens_offline(api, guarded):
    user = api.user()
    project = api.create('project')
    group = api.create('group')
    api.call('PUT', '/v3/projects/%s/groups/%s/roles/%s'
             % (project['id'], group['id'], api.role_id('member')), expect=204)
    api.call('PUT', '/v3/groups/%s/users/%s' % (group['id'], user['id']), expect=204)
    token = api.token(user, {'project': {'id': project['id']}})
    _accepted(guarded, token, user['id'])
    api.call('DELETE', '/v3/groups/%s/users/%s' % (group['id'], user['id']), expect=204)
    guarded.wait_refused(token)


def test_deleting_an_application_credential_revokes_its_tokens(api, guarded):
    user = api.user()
    project = api.create('project')
    api.grant(user['id'], 'member', project['id'])
    token = api.token(user, {'project': {'id': project['id']}})
    _, _, body = api.call('POST', '/v3/users/%s/application_credentials' % user['id'],
                          {'application_credential': {'name': api.name('ac')}}, token=token,
                          expect=201)
    cred = body['application_credential']
    status, hdrs, _ = api.call('POST', '/v3/auth/tokens', {'auth': {'identity': {
        'methods': ['application_credential'], 'application_credential': {
            'id': cred['id'], 'secret': cred['secret']}}}}, token='')
    assert status == 201
    app_token = hdrs['X-Subject-Token']
    _accepted(guarded, app_token, user['id'])
    api.call('DELETE', '/v3/users/%s/application_credentials/%s' % (user['id'], cred['id']),
             token=token, expect=204)
    guarded.wait_refused(app_token)
    _accepted(guarded, token, user['id'])


def _kid(token):
    header = token.split('.')[0]
    return json.loads(base64.urlsafe_b64decode(header + '=' * (-len(header) % 4)))['kid']


def test_key_rotation_keeps_old_tokens_and_new_ones_verify(fresh_identity):
    ident = fresh_identity
    g = Guarded(ident)
    try:
        old = ident.token('demo', project='demo')
        assert g.status(old) == 200
        subprocess.run([sys.executable, '-m', 'identity.manage', '--config-file',
                        ident.config_file, 'key-rotate'], check=True, capture_output=True,
                       cwd=daemons.REPO, timeout=60)
        new = ident.token('demo', project='demo')
        assert _kid(new) != _kid(old)
        _, _, jwks = ident.request('GET', '/v3/auth/keys')
        assert {_kid(old), _kid(new)} <= {k['kid'] for k in jwks['keys']}
        admin = ident.token()
        for token in (old, new):
            assert ident.request('GET', '/v3/auth/tokens', token=admin,
                                 headers={'X-Subject-Token': token})[0] == 200
        # The middleware has never seen the new key: it refetches the keys at once.
        assert g.status(new) == 200
        assert g.status(old) == 200
        # A token naming a key identity never had is still refused.
        forged = new.split('.')
        forged[0] = base64.urlsafe_b64encode(json.dumps(
            {'alg': 'EdDSA', 'kid': 'f' * 16, 'typ': 'JWT'}).encode()).decode().rstrip('=')
        assert g.status('.'.join(forged)) == 401
        assert g.status(new) == 200
    finally:
        g.stop()
