"""Signed tokens: compact JWS (EdDSA/Ed25519) that any service verifies offline.

Identity signs a token's claims with the newest private key of its key repository and
publishes the public keys (JWKS at ``/v3/auth/keys``).  A token is never stored: its
claims carry who, which scope, which roles, when it expires and its audit ids, so a
service holding the public keys needs no call to identity to trust it.
"""
import base64
import binascii
import datetime
import glob
import hashlib
import json
import os
import re
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519


class InvalidToken(Exception):
    """The token is malformed, signed by an unknown key, or its signature is wrong."""


class ExpiredToken(InvalidToken):
    """The token's signature is good but it has expired."""


class UnknownKey(InvalidToken):
    """The token names a key id the verifier does not have (yet)."""

    def __init__(self, kid):
        super().__init__('unknown signing key %s' % kid)
        self.kid = kid


# Three unpadded base64url parts: a token has exactly one spelling (no '=' padding, no
# other alphabet), so revoking a token by its id cannot be sidestepped by re-spelling it.
_COMPACT = re.compile(r'\A[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\Z')


def b64encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode('ascii')


_B64URL = re.compile(r'[A-Za-z0-9_-]*')


def b64decode(text):
    """Strict unpadded base64url: one spelling per value (padding, stray characters and
    non-zero trailing bits are refused, so a token cannot be re-spelled to dodge a
    revocation keyed on its text)."""
    if not isinstance(text, str) or not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise InvalidToken('token is not valid base64url')
    try:
        data = base64.urlsafe_b64decode(text + '=' * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise InvalidToken('token is not valid base64url')
    if b64encode(data) != text:
        raise InvalidToken('token is not canonical base64url')
    return data


def _json(raw, what):
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise InvalidToken('token %s is not JSON' % what)


def key_id(public_key):
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_jwk(public_key):
    """A JSON Web Key (RFC 8037 OKP) for an Ed25519 public key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {'kty': 'OKP', 'crv': 'Ed25519', 'alg': 'EdDSA', 'use': 'sig',
            'kid': key_id(public_key), 'x': b64encode(raw)}


def jwk_to_public_key(jwk):
    if jwk.get('kty') != 'OKP' or jwk.get('crv') != 'Ed25519':
        raise ValueError('unsupported key type %s/%s' % (jwk.get('kty'), jwk.get('crv')))
    return ed25519.Ed25519PublicKey.from_public_bytes(b64decode(jwk['x']))


class KeyRepository:
    """A directory of Ed25519 private keys; the newest signs, all of them verify.

    Files are ``<unix time>-<kid>.pem`` (mode 0600).  ``rotate`` adds a key and prunes
    the oldest beyond ``max_active``, so tokens signed before a rotation stay valid until
    they expire as long as rotations are spaced wider than the token lifetime.
    """

    def __init__(self, path, max_active=3):
        self.path = path
        self.max_active = max_active
        self._cache = None
        self._cache_sig = None

    def _files(self):
        return sorted(glob.glob(os.path.join(self.path, '*-*.pem')),
                      key=lambda p: int(os.path.basename(p).split('-', 1)[0]))

    def exists(self):
        return bool(self._files())

    def setup(self):
        """Create the directory and a first key if there is none; return the primary kid."""
        os.makedirs(self.path, mode=0o700, exist_ok=True)
        if not self._files():
            return self.rotate()
        return self.primary()[0]

    def rotate(self):
        """Create a new primary key and drop keys beyond ``max_active``; return its kid."""
        os.makedirs(self.path, mode=0o700, exist_ok=True)
        private = ed25519.Ed25519PrivateKey.generate()
        kid = key_id(private.public_key())
        stamp = time.time_ns()
        files = self._files()
        if files:
            stamp = max(stamp, int(os.path.basename(files[-1]).split('-', 1)[0]) + 1)
        pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        tmp = os.path.join(self.path, '.tmp-%s' % kid)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, 'wb') as handle:
            handle.write(pem)
        os.rename(tmp, os.path.join(self.path, '%d-%s.pem' % (stamp, kid)))
        for old in self._files()[:-self.max_active]:
            os.unlink(old)
        self._cache = None
        return kid

    def _load(self):
        files = self._files()
        sig = tuple((f, os.stat(f).st_mtime_ns) for f in files)
        if self._cache is None or sig != self._cache_sig:
            keys = []
            for path in files:
                with open(path, 'rb') as handle:
                    private = serialization.load_pem_private_key(handle.read(), password=None)
                keys.append((key_id(private.public_key()), private))
            self._cache, self._cache_sig = keys, sig
        return self._cache

    def primary(self):
        keys = self._load()
        if not keys:
            raise RuntimeError('key repository %s holds no keys; run key rotation' % self.path)
        return keys[-1]

    def public_keys(self):
        return {kid: private.public_key() for kid, private in self._load()}

    def jwks(self):
        return {'keys': [public_jwk(private.public_key()) for _kid, private in self._load()]}


def sign(claims, repository):
    """A compact JWS of ``claims`` signed with the repository's primary key."""
    kid, private = repository.primary()
    header = b64encode(json.dumps({'alg': 'EdDSA', 'kid': kid, 'typ': 'JWT'},
                                  separators=(',', ':')).encode())
    payload = b64encode(json.dumps(claims, separators=(',', ':'), sort_keys=True).encode())
    signing_input = ('%s.%s' % (header, payload)).encode('ascii')
    return '%s.%s.%s' % (header, payload, b64encode(private.sign(signing_input)))


def decode(token, public_keys, now=None, leeway=0):
    """Verify ``token`` against ``{kid: public_key}``; return its claims.

    Raises UnknownKey (the caller may refresh its keys and retry), ExpiredToken or
    InvalidToken.
    """
    if not isinstance(token, str) or len(token) > 16384 or not _COMPACT.match(token):
        raise InvalidToken('token is not a compact JWS')
    parts = token.split('.')
    header_b64, payload_b64, _sig = parts
    # every part is strict base64url (hence ASCII) before anything else looks at it
    header_raw, payload_raw, signature = (b64decode(part) for part in parts)
    header = _json(header_raw, 'header')
    if not isinstance(header, dict) or header.get('alg') != 'EdDSA':
        raise InvalidToken('unsupported token algorithm')
    kid = header.get('kid')
    if not isinstance(kid, str):
        raise InvalidToken('token key id is not a string')
    key = public_keys.get(kid)
    if key is None:
        raise UnknownKey(kid)
    try:
        key.verify(signature, ('%s.%s' % (header_b64, payload_b64)).encode('ascii'))
    except InvalidSignature:
        raise InvalidToken('token signature is invalid')
    claims = _json(payload_raw, 'payload')
    now = time.time() if now is None else now
    if not isinstance(claims, dict) or not isinstance(claims.get('exp'), (int, float)):
        raise InvalidToken('token has no expiry')
    if claims['exp'] + leeway <= now:
        raise ExpiredToken('token expired')
    return claims


def header_kid(token):
    """The key id a token's header names (read after ``decode`` accepted the token)."""
    return _json(b64decode(token.split('.', 1)[0]), 'header').get('kid')


def iso(epoch):
    """ISO 8601 UTC with microseconds, as identity writes expires_at/issued_at."""
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime(
        '%Y-%m-%dT%H:%M:%S.%fZ')


def parse_iso(text):
    """Epoch seconds for an ISO 8601 timestamp (``Z`` or offset, optional fraction)."""
    text = text.strip()
    if text.endswith('Z'):
        text = text[:-1] + '+00:00'
    value = datetime.datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.timestamp()
