"""Token parsing is strict (issue 16, finding 4): whatever a client sends as a token, the
offline verification every service runs (common.auth) answers 401, never 500, and a token
has exactly one accepted spelling."""
import base64
import json
import time

import pytest
import webob

from common.auth import middleware as auth_mw
from common.auth import tokens


@pytest.fixture
def repo(tmp_path):
    r = tokens.KeyRepository(str(tmp_path / 'keys'))
    r.setup()
    return r


def _valid(repo):
    now = time.time()
    return tokens.sign({'sub': 'u1', 'iat': now, 'exp': now + 60, 'audit_ids': ['a1'],
                        'roles': [{'id': 'r', 'name': 'member'}],
                        'project': {'id': 'p1', 'name': 'p', 'domain': {'id': 'default'}}},
                       repo)


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode()


def respellings(token):
    """Other spellings of the same bytes: padding, and the unused low bits of the last
    character of each part set (lenient base64 decoders ignore both)."""
    out = [token + '==', token + '=']
    parts = token.split('.')
    for i, part in enumerate(parts):
        alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
        spare = {2: 0b1111, 3: 0b11}.get(len(part) % 4, 0)
        if spare:
            last = alphabet[alphabet.index(part[-1]) | spare]
            out.append('.'.join(parts[:i] + [part[:-1] + last] + parts[i + 1:]))
        out.append('.'.join(parts[:i] + [part + '=' * (-len(part) % 4 or 4)] +
                            parts[i + 1:]))
    return list(dict.fromkeys(out))


def malformed(token):
    head, payload, sig = token.split('.')
    kid = json.loads(tokens.b64decode(head))['kid']
    bad_headers = [{'alg': 'EdDSA', 'kid': [kid]}, {'alg': 'EdDSA', 'kid': {'id': kid}},
                   {'alg': 'EdDSA', 'kid': 3}, {'alg': 'EdDSA', 'kid': None}, [kid], 'x']
    out = ['%s.%s.%s' % (_b64(json.dumps(h).encode()), payload, sig) for h in bad_headers]
    out += ['%s.%s\u00e9.%s' % (head, payload, sig), '%s.\u00ff\u00fe.%s' % (head, sig),
            '%s.%s.%s' % (head, _b64(b'\xff\xfe\xfd'), sig),
            '%s.%s.%s' % (_b64(b'[' * 5000), payload, sig),
            '%s.%s.%s' % (head, _b64(b'{"a":' * 3000), sig),
            '%s.%s.%s' % (head, payload, sig[:20]), '%s.%s. %s' % (head, payload, sig),
            # the standard alphabet's '+' where the URL-safe one is required (always a change,
            # unlike replacing letters the signature may happen not to contain)
            '%s.%s.%s' % (head, payload, '+' + sig[1:]),
            '', '.', '..', 'x.y.z', token[:-1] + '\x00']
    return out + respellings(token)


def test_respellings_of_a_valid_token_are_refused(repo):
    token = _valid(repo)
    assert tokens.decode(token, repo.public_keys())['sub'] == 'u1'
    spellings = respellings(token)
    assert len(spellings) >= 5
    for other in spellings:
        with pytest.raises(tokens.InvalidToken):
            tokens.decode(other, repo.public_keys())


def test_malformed_tokens_raise_invalid_token_only(repo):
    for bad in malformed(_valid(repo)):
        with pytest.raises(tokens.InvalidToken):
            tokens.decode(bad, repo.public_keys())


@pytest.mark.parametrize('delay', [False, True])
def test_middleware_answers_401_for_every_malformed_token(repo, delay):
    seen = []

    def app(env, start_response):
        seen.append(env.get('HTTP_X_IDENTITY_STATUS'))
        start_response('204 No Content', [])
        return [b'']
    protocol = auth_mw.AuthProtocol(app, auth_mw.StaticKeySource(repository=repo), None,
                                    'http://identity', delay_auth_decision=delay)
    good = _valid(repo)
    req = webob.Request.blank('/', headers={'X-Auth-Token': good})
    assert req.get_response(protocol).status_int == 204 and seen == ['Confirmed']
    for bad in malformed(good):
        seen.clear()
        req = webob.Request.blank('/')
        # a header arrives as Latin-1 text of its bytes
        req.environ['HTTP_X_AUTH_TOKEN'] = bad.encode('utf-8').decode('latin-1')
        resp = req.get_response(protocol)
        if delay:
            assert resp.status_int == 204 and seen in ([], ['Invalid']), bad[:40]
        else:
            assert resp.status_int == 401 and seen == [], bad[:40]
