"""Password and secret hashing with scrypt, a memory-hard slow KDF."""
import base64
import hashlib
import hmac
import os

_PREFIX = 'scrypt'


def hash_password(password, cost=14):
    """``scrypt$<log2 N>$<r>$<p>$<salt>$<hash>`` for ``password``."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode('utf-8'), salt=salt, n=2 ** cost, r=8, p=1,
                            dklen=32, maxmem=256 * 1024 * 1024)
    return '%s$%d$8$1$%s$%s' % (_PREFIX, cost, base64.b64encode(salt).decode(),
                                base64.b64encode(digest).decode())


def check_password(password, stored):
    """True when ``password`` matches the stored hash (constant-time comparison)."""
    if not stored or not isinstance(password, str):
        return False
    try:
        prefix, cost, r, p, salt, digest = stored.split('$')
        if prefix != _PREFIX:
            return False
        computed = hashlib.scrypt(password.encode('utf-8'), salt=base64.b64decode(salt),
                                  n=2 ** int(cost), r=int(r), p=int(p), dklen=32,
                                  maxmem=256 * 1024 * 1024)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(computed, base64.b64decode(digest))
