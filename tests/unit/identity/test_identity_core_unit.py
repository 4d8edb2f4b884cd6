"""In-process tests of identity's core (SQLite, no daemon) and of the key fetching of the
auth middleware other services use."""
import base64
import hashlib
import hmac
import os

import pytest

from common import config
from common import exceptions
from common.auth import middleware as auth_mw
from common.auth import tokens
from identity.api import resources
from identity.core import credentials
from identity.core import resource

pytestmark = pytest.mark.timeout(60)


def _password_auth(scope=None):
    auth = {'identity': {'methods': ['password'], 'password': {'user': {
        'name': 'admin', 'domain': {'id': 'default'}, 'password': 'admin-pw'}}}}
    if scope:
        auth['scope'] = scope
    return auth


def _issue(st, scope=None):
    with st.db.session() as sess:
        claims = st.provider.authenticate(sess, _password_auth(scope))
    return claims, st.provider.issue(claims)


def test_revoked_token_cannot_authenticate_by_token_method(state):
    claims, token = _issue(state)
    with state.db.session() as sess:
        state.provider.revoke_token(sess, claims)
    with state.db.session() as sess:
        with pytest.raises(exceptions.Unauthorized):
            state.provider.authenticate(sess, {'identity': {'methods': ['token'],
                                                            'token': {'id': token}}})
        with pytest.raises(exceptions.Unauthorized):
            state.provider.authenticate(sess, {'identity': {'methods': ['token'],
                                                            'token': {'id': 'x.y.z'}}})


def test_reload_applies_new_token_expiration(state):
    claims, _ = _issue(state)
    assert round(claims['exp'] - claims['iat']) == 3600
    state.config_path.write_text(state.config_path.read_text().replace(
        'token_expiration = 3600', 'token_expiration = 120'))
    state.conf.reload()
    claims, _ = _issue(state)
    assert round(claims['exp'] - claims['iat']) == 120
    state.config_path.write_text(state.config_path.read_text().replace(
        'token_expiration = 120', 'token_expiration = later'))
    with pytest.raises(config.ConfigError):
        state.conf.reload()
    claims, _ = _issue(state)
    assert round(claims['exp'] - claims['iat']) == 120


def test_domain_with_an_existing_id_is_a_conflict(state):
    with state.db.session() as sess:
        with pytest.raises(exceptions.Conflict):
            resource.create_domain(sess, 'other', domain_id='default')


def test_child_project_defaults_to_its_parents_domain(state):
    with state.db.session() as sess:
        domain = resource.create_domain(sess, 'd1')
        parent = resource.create_project(sess, 'parent', domain.id)
        data = resources._default_domain(state, None, {'name': 'child',
                                                       'parent_id': parent.id})
        child = resource.create_project(sess, **data)
        assert child.domain_id == domain.id


class _FakeHttp:
    """Stands in for requests: serves identity's JWKS and counts fetches."""

    def __init__(self, repository):
        self.repository = repository
        self.fetches = 0

    def get(self, url, timeout=None):
        self.fetches += 1
        jwks = self.repository.jwks()

        class _Resp:
            def raise_for_status(self):
                pass

            def json(self):
                return jwks
        return _Resp()


def test_middleware_fetches_a_rotated_key_at_once_but_rate_limits_unknown_kids(tmp_path):
    repo = tokens.KeyRepository(str(tmp_path / 'keys'), max_active=3)
    repo.setup()
    http = _FakeHttp(repo)
    source = auth_mw.RemoteKeySource('http://identity', min_refresh=60, http=http)
    protocol = auth_mw.AuthProtocol(lambda env, start: [], source, None, 'http://identity')
    claims = {'sub': 'u', 'exp': 4e9, 'iat': 1.0, 'audit_ids': ['a']}
    assert protocol.verify(tokens.sign(claims, repo))['sub'] == 'u'
    assert http.fetches == 1
    repo.rotate()
    # The first fetch is seconds old, yet the new key is fetched for its first token.
    assert protocol.verify(tokens.sign(claims, repo))['sub'] == 'u'
    assert http.fetches == 2
    repo.rotate()
    # A second unknown key within min_refresh is not fetched (no fetch storm).
    with pytest.raises(tokens.UnknownKey):
        protocol.verify(tokens.sign(claims, repo))
    assert http.fetches == 2


def test_aws_signatures(state):
    secret, text = os.urandom(8).hex(), 'GET\n\n\nSat, 21 Nov 2026 00:00:00 GMT\n/bucket/key'
    v2 = base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha1).digest())
    assert credentials.check_aws_signature(secret, text, v2.decode())
    assert not credentials.check_aws_signature(secret + 'x', text, v2.decode())
    v4_text = 'AWS4-HMAC-SHA256\n20261121T000000Z\n20261121/RegionOne/s3/aws4_request\n' + \
        hashlib.sha256(b'request').hexdigest()
    key = ('AWS4' + secret).encode()
    for part in ('20261121', 'RegionOne', 's3', 'aws4_request'):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    v4 = hmac.new(key, v4_text.encode(), hashlib.sha256).hexdigest()
    assert credentials.check_aws_signature(secret, v4_text, v4)
    assert not credentials.check_aws_signature(secret, v4_text.replace('s3/', 'ec2/'), v4)
    assert not credentials.check_aws_signature(secret, 'AWS4-HMAC-SHA256\nbroken', v4)
