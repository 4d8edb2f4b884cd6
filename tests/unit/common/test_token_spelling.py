"""A token has exactly one accepted spelling, and a malformed one is a 401, never a 500
(issue 16, finding 4, at its root in common.auth.tokens which every service uses)."""
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


def _token(repo):
    now = time.time()
    return tokens.sign({'sub': 'u1', 'iat': now, 'exp': now + 60, 'audit_ids': ['a1'],
                        'udom': {'id': 'default', 'name': 'Default'}, 'methods': ['password'],
                        'project': {'id': 'p1', 'name': 'p',
                                    'domain': {'id': 'default', 'name': 'Default'}},
                        'roles': [{'id': 'r', 'name': 'member'}]}, repo)


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode()


def _forgeries(token):
    header, payload, sig = token.split('.')
    kid = json.loads(base64.urlsafe_b64decode(header + '=='))['kid']
    out = [token + '==', token + '=', header + '==.' + payload + '.' + sig,
           header + '.' + payload + '==.' + sig, token.replace('.', '.=', 1),
           ' ' + token, token + '\n', token + '.', header + '.' + payload + '.' + sig + 'A',
           header + '.' + payload + 'é.' + sig, header + '.' + payload + '.' + sig + '\x00']
    for value in ([kid], {'k': kid}, 7, None, True):
        forged = _b64(json.dumps({'alg': 'EdDSA', 'kid': value}).encode())
        out.append('%s.%s.%s' % (forged, payload, sig))
    out.append('%s.%s.%s' % (_b64(b'[' * 9000 + b']' * 9000), payload, sig))
    # The unused low bits of a base64 character: same bytes, another spelling.
    last = sig[-1]
    alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    sibling = alphabet[alphabet.index(last) ^ 1]
    out.append(token[:-1] + sibling)
    return out


def test_a_token_has_exactly_one_accepted_spelling(repo):
    token = _token(repo)
    keys = repo.public_keys()
    assert tokens.decode(token, keys)['sub'] == 'u1'
    for forged in _forgeries(token):
        with pytest.raises(tokens.InvalidToken):
            tokens.decode(forged, keys)


def test_malformed_tokens_answer_401_on_every_service(repo):
    def app(environ, start_response):
        start_response('200 OK', [])
        return [b'ok']
    protocol = auth_mw.AuthProtocol(app, auth_mw.StaticKeySource(repository=repo), None,
                                    'http://identity', fault_style='neutron')
    token = _token(repo)
    for forged in _forgeries(token):
        req = webob.Request.blank('/')
        req.environ['HTTP_X_AUTH_TOKEN'] = forged
        assert req.get_response(protocol).status_int == 401, repr(forged[:80])
    req = webob.Request.blank('/', headers={'X-Auth-Token': token})
    assert req.get_response(protocol).status_int == 200
