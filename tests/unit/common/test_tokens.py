"""Signed tokens verify offline, fail on tampering, expiry and unknown keys; rotation keeps
older tokens valid; revocation events match the tokens they should."""
import time

import pytest

from common.auth import revocation
from common.auth import tokens


@pytest.fixture
def repo(tmp_path):
    r = tokens.KeyRepository(str(tmp_path / 'keys'), max_active=2)
    r.setup()
    return r


def claims(**extra):
    now = time.time()
    base = {'sub': 'u1', 'iat': now, 'exp': now + 60, 'audit_ids': ['a1'],
            'project': {'id': 'p1', 'name': 'p', 'domain': {'id': 'd1', 'name': 'D'}},
            'udom': {'id': 'd1', 'name': 'D'}, 'roles': [{'id': 'r', 'name': 'member'}]}
    base.update(extra)
    return base


def test_round_trip_and_jwks(repo):
    token = tokens.sign(claims(), repo)
    keys = {j['kid']: tokens.jwk_to_public_key(j) for j in repo.jwks()['keys']}
    assert tokens.decode(token, keys)['sub'] == 'u1'


def test_tampered_expired_and_garbage(repo):
    token = tokens.sign(claims(), repo)
    head, payload, sig = token.split('.')
    forged = tokens.b64encode(tokens.b64decode(payload).replace(b'u1', b'u2'))
    with pytest.raises(tokens.InvalidToken):
        tokens.decode('.'.join([head, forged, sig]), repo.public_keys())
    with pytest.raises(tokens.ExpiredToken):
        tokens.decode(tokens.sign(claims(exp=time.time() - 1), repo), repo.public_keys())
    for junk in ('', 'abc', 'a.b.c', None):
        with pytest.raises(tokens.InvalidToken):
            tokens.decode(junk, repo.public_keys())


def test_rotation_keeps_recent_keys_and_prunes_old(repo):
    old = tokens.sign(claims(), repo)
    repo.rotate()
    assert tokens.decode(old, repo.public_keys())['sub'] == 'u1'
    repo.rotate()  # max_active=2: the first key is gone now
    with pytest.raises(tokens.UnknownKey):
        tokens.decode(old, repo.public_keys())


def test_revocation_matching():
    c = claims()
    events = revocation.RevocationList()
    assert not events.is_revoked(c)
    events.add({'id': 1, 'user_id': 'other', 'issued_before': tokens.iso(time.time())})
    assert not events.is_revoked(c)
    events.add({'id': 2, 'user_id': 'u1', 'project_id': 'p2',
                'issued_before': tokens.iso(time.time())})
    assert not events.is_revoked(c)
    events.add({'id': 3, 'audit_id': 'a1', 'issued_before': tokens.iso(c['iat'] - 10)})
    assert not events.is_revoked(c), 'an event older than the token does not revoke it'
    events.add({'id': 4, 'user_id': 'u1', 'project_id': 'p1',
                'issued_before': tokens.iso(time.time())})
    assert events.is_revoked(c)
    assert events.last_id == 4
