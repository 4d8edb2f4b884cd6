"""The auth middleware remembers verified tokens: a repeated token skips the signature
check, yet a revoked, expired or withdrawn-key token is refused on its very next use."""
import time

import pytest
import webob

from common.auth import middleware as auth_mw
from common.auth import revocation
from common.auth import tokens


@pytest.fixture
def repo(tmp_path):
    r = tokens.KeyRepository(str(tmp_path / 'keys'))
    r.setup()
    return r


def _token(repo, lifetime=60, user='u1'):
    now = time.time()
    return tokens.sign({'sub': user, 'iat': now, 'exp': now + lifetime, 'audit_ids': [user],
                        'roles': [{'id': 'r', 'name': 'member'}],
                        'project': {'id': 'p1', 'name': 'p', 'domain': {'id': 'default'}}},
                       repo)


class Keys:
    """A key source whose keys a test can withdraw."""

    def __init__(self, repo):
        self.current = repo.public_keys()

    def keys(self):
        return self.current

    def refresh(self, force=False):
        return False


@pytest.fixture
def protocol(repo, monkeypatch):
    def app(env, start_response):
        start_response('204 No Content', [])
        return [b'']
    revoked = revocation.RevocationList()
    proto = auth_mw.AuthProtocol(app, Keys(repo), revoked, 'http://identity', cache_size=3)
    decoded = []
    real = tokens.decode

    def counting(token, keys, *args, **kwargs):
        decoded.append(token)
        return real(token, keys, *args, **kwargs)
    monkeypatch.setattr(tokens, 'decode', counting)
    proto.decoded = decoded
    return proto


def status(protocol, token):
    return webob.Request.blank('/', headers={'X-Auth-Token': token}).get_response(
        protocol).status_int


def test_a_repeated_token_is_verified_once(repo, protocol):
    token = _token(repo)
    assert [status(protocol, token) for _ in range(5)] == [204] * 5
    assert protocol.decoded == [token]


def test_revocation_reaches_a_cached_token_at_once(repo, protocol):
    token = _token(repo)
    assert status(protocol, token) == 204
    protocol.revocations.add({'audit_id': 'u1', 'issued_before': tokens.iso(time.time() + 1)})
    assert status(protocol, token) == 401


def test_expiry_reaches_a_cached_token(repo, protocol, monkeypatch):
    token = _token(repo, lifetime=30)
    assert status(protocol, token) == 204
    later = time.time() + 31
    monkeypatch.setattr(auth_mw.time, 'time', lambda: later)
    assert status(protocol, token) == 401


def test_a_withdrawn_key_invalidates_cached_tokens(repo, protocol):
    token = _token(repo)
    assert status(protocol, token) == 204
    protocol.key_source.current = {}
    assert status(protocol, token) == 401


def test_the_cache_is_bounded_and_forged_tokens_are_not_cached(repo, protocol):
    good = [_token(repo, user='u%d' % i) for i in range(5)]
    for token in good:
        assert status(protocol, token) == 204
    assert len(protocol.verified) == 3
    forged = good[0][:-4] + ('AAAA' if not good[0].endswith('AAAA') else 'BBBB')
    assert status(protocol, forged) == 401 and status(protocol, forged) == 401
    assert len(protocol.verified) == 3
    assert protocol.decoded.count(forged) == 2
