"""OAuth 1.0a (OS-OAUTH1): consumers, whose secrets sign a delegation's requests; request
tokens a user authorizes with some of its roles on a project; access tokens that get the
consumer tokens of that user, on that project, with those roles."""
import base64
import datetime
import hashlib
import hmac
import secrets
import time
import urllib.parse

import sqlalchemy as sa

from common import exceptions
from common.db import types
from identity.core import assignment
from identity.core import plain
from identity.core import resource
from identity.db import models


CONSUMERS = plain.Plain(models.Consumer, 'consumer')


def create_consumer(sess, keys, description=None, extra=None):
    """A new consumer; its clear secret is on the returned object as ``secret`` (shown
    once, in the answer to the create)."""
    secret = secrets.token_hex(32)
    encrypted, key_hash = keys.encrypt(secret)
    consumer = CONSUMERS.create(sess, description=description, encrypted_secret=encrypted,
                                key_hash=key_hash, extra=extra or {})
    consumer.secret = secret
    return consumer


def consumer_secret(keys, consumer):
    return keys.decrypt(consumer.encrypted_secret, consumer.key_hash)


# request signatures (RFC 5849, HMAC-SHA1) ------------------------------------------------
TIMESTAMP_WINDOW = 600          # seconds a signed request may be old or early
REQUEST_TOKEN_TTL = 28800       # Keystone's defaults
ACCESS_TOKEN_TTL = 86400


def _enc(value):
    return urllib.parse.quote(str(value), safe='~')


def parse_authorization(header):
    """The ``oauth_*`` parameters of an ``Authorization: OAuth ...`` header (401 when it is
    missing or malformed)."""
    if not header or not header[:6].lower() == 'oauth ':
        raise exceptions.Unauthorized('The request needs an OAuth Authorization header.')
    params = {}
    for part in header[6:].split(','):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition('=')
        if not sep or len(value) < 2 or value[0] != '"' or value[-1] != '"':
            raise exceptions.Unauthorized('Malformed OAuth Authorization header.')
        key = urllib.parse.unquote(key.strip())
        if key != 'realm':
            params[key] = urllib.parse.unquote(value[1:-1])
    return params


def base_string(method, uri, params):
    """The signature base string of a request: ``params`` are (name, value) pairs of the
    OAuth header (without the signature), the query and a form body."""
    parts = urllib.parse.urlsplit(uri)
    host = parts.hostname.lower()
    port = parts.port
    if port and not ((parts.scheme == 'http' and port == 80) or
                     (parts.scheme == 'https' and port == 443)):
        host = '%s:%d' % (host, port)
    base_uri = '%s://%s%s' % (parts.scheme.lower(), host, parts.path or '/')
    normalized = '&'.join('%s=%s' % kv for kv in sorted((_enc(k), _enc(v))
                                                         for k, v in params))
    return '&'.join((method.upper(), _enc(base_uri), _enc(normalized)))


def signature(consumer_secret, token_secret, base):
    key = '%s&%s' % (_enc(consumer_secret), _enc(token_secret or ''))
    return base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()
                            ).decode()


class SignedRequest:
    """What a signature covers: method, the URIs the client may have signed (the public
    endpoint's and the Host header's), the OAuth header and the query parameters."""

    def __init__(self, method, uris, oauth_params, query_params):
        self.method, self.uris = method, uris
        self.oauth = oauth_params
        self.query = list(query_params)

    def require(self, *names):
        missing = [n for n in names if not self.oauth.get(n)]
        if missing:
            raise exceptions.Unauthorized('The OAuth request lacks %s.' % ', '.join(missing))

    def verify(self, consumer_secret, token_secret=''):
        self.require('oauth_consumer_key', 'oauth_signature', 'oauth_signature_method',
                     'oauth_timestamp', 'oauth_nonce')
        if self.oauth['oauth_signature_method'] != 'HMAC-SHA1':
            raise exceptions.Unauthorized('Only the HMAC-SHA1 signature method is supported.')
        try:
            stamp = int(self.oauth['oauth_timestamp'])
        except ValueError:
            raise exceptions.Unauthorized('oauth_timestamp must be an integer.')
        if abs(time.time() - stamp) > TIMESTAMP_WINDOW:
            raise exceptions.Unauthorized('The OAuth request is too old or too early.')
        params = [(k, v) for k, v in self.oauth.items() if k != 'oauth_signature']
        params += self.query
        given = self.oauth['oauth_signature']
        for uri in self.uris:
            expected = signature(consumer_secret, token_secret,
                                 base_string(self.method, uri, params))
            if hmac.compare_digest(expected, given):
                return
        raise exceptions.Unauthorized('The OAuth signature does not match.')


# delegation -------------------------------------------------------------------------------
def _new_secret(keys):
    secret = secrets.token_hex(32)
    encrypted, key_hash = keys.encrypt(secret)
    return secret, encrypted, key_hash


def _signed_consumer(sess, keys, request):
    request.require('oauth_consumer_key')
    consumer = sess.get(models.Consumer, request.oauth['oauth_consumer_key'])
    if consumer is None:
        raise exceptions.Unauthorized('Unknown OAuth consumer.')
    return consumer, consumer_secret(keys, consumer)


def _expired(expires_at):
    return expires_at is not None and expires_at < types.utcnow()


def create_request_token(sess, keys, request, project_id):
    """``(token, secret)`` for a signed request of a consumer on an existing project."""
    consumer, secret = _signed_consumer(sess, keys, request)
    request.verify(secret)
    resource.get_project(sess, project_id)
    token_secret, encrypted, key_hash = _new_secret(keys)
    token = models.OAuthRequestToken(
        consumer_id=consumer.id, encrypted_secret=encrypted, key_hash=key_hash,
        requested_project_id=project_id,
        expires_at=types.utcnow() + datetime.timedelta(seconds=REQUEST_TOKEN_TTL))
    sess.add(token)
    sess.flush()
    return token, token_secret


def authorize_request_token(sess, token_id, user_id, role_refs):
    """The verifier of a request token the user authorizes with roles it holds on the
    requested project."""
    token = sess.get(models.OAuthRequestToken, token_id)
    if token is None or _expired(token.expires_at):
        raise exceptions.NotFound('Could not find request token: %s.' % token_id)
    if token.authorizing_user_id is not None:
        raise exceptions.Forbidden('Request token %s is already authorized.' % token_id)
    project = resource.get_project(sess, token.requested_project_id)
    held = {r.id: r for r in assignment.effective_project_roles(sess, user_id, project)}
    role_ids = []
    for ref in role_refs:
        match = [r for r in held.values() if r.id == ref.get('id') or
                 (not ref.get('id') and r.name == ref.get('name'))]
        if not match:
            raise exceptions.Unauthorized('User %s does not hold role %s on project %s.'
                                          % (user_id, ref.get('id') or ref.get('name'),
                                             project.id))
        role_ids.append(match[0].id)
    token.authorizing_user_id = user_id
    token.role_ids = sorted(set(role_ids))
    token.verifier = secrets.token_urlsafe(6)
    return token.verifier


def create_access_token(sess, keys, request):
    """``(token, secret)`` for a consumer's signed exchange of an authorized request
    token and its verifier; the request token is used up."""
    consumer, secret = _signed_consumer(sess, keys, request)
    request.require('oauth_token', 'oauth_verifier')
    req_token = sess.get(models.OAuthRequestToken, request.oauth['oauth_token'])
    if req_token is None or req_token.consumer_id != consumer.id or \
            _expired(req_token.expires_at):
        raise exceptions.Unauthorized('The request token is not valid.')
    request.verify(secret, keys.decrypt(req_token.encrypted_secret, req_token.key_hash))
    if req_token.verifier is None or not hmac.compare_digest(
            req_token.verifier, request.oauth['oauth_verifier']):
        raise exceptions.Unauthorized('The request token is not authorized with this '
                                      'verifier.')
    token_secret, encrypted, key_hash = _new_secret(keys)
    token = models.OAuthAccessToken(
        consumer_id=consumer.id, encrypted_secret=encrypted, key_hash=key_hash,
        authorizing_user_id=req_token.authorizing_user_id,
        project_id=req_token.requested_project_id, role_ids=list(req_token.role_ids),
        expires_at=types.utcnow() + datetime.timedelta(seconds=ACCESS_TOKEN_TTL))
    sess.add(token)
    sess.delete(req_token)
    sess.flush()
    return token, token_secret


def signed_access_token(sess, keys, request):
    """The access token a consumer's request is signed with (401 unless valid)."""
    consumer, secret = _signed_consumer(sess, keys, request)
    request.require('oauth_token')
    token = sess.get(models.OAuthAccessToken, request.oauth['oauth_token'])
    if token is None or token.consumer_id != consumer.id or _expired(token.expires_at):
        raise exceptions.Unauthorized('The OAuth access token is not valid.')
    request.verify(secret, keys.decrypt(token.encrypted_secret, token.key_hash))
    return token


def get_access_token(sess, user_id, token_id):
    token = sess.get(models.OAuthAccessToken, token_id)
    if token is None or token.authorizing_user_id != user_id:
        raise exceptions.NotFound('Could not find access token: %s.' % token_id)
    return token


def access_tokens_of(sess, user_id):
    return list(sess.scalars(sa.select(models.OAuthAccessToken).where(
        models.OAuthAccessToken.authorizing_user_id == user_id).order_by(
        models.OAuthAccessToken.id)))


def access_token_exists(sess, token_id):
    token = sess.get(models.OAuthAccessToken, token_id)
    return token is not None and not _expired(token.expires_at)
