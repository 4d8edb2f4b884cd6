"""Key pair material: fingerprints of imported keys and generation of new ones.

ssh keys are fingerprinted as MD5 of the key blob (colon hex, what Nova shows), x509
certificates as SHA-1 of their DER form. A key that does not parse is a 400.
"""
import base64
import datetime
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from common import exceptions


def _colon_hex(digest):
    return ':'.join('%02x' % b for b in digest)


def _invalid(why):
    return exceptions.BadRequest('Keypair data is invalid: %s' % why)


def ssh_fingerprint(public_key):
    """The MD5 fingerprint of an OpenSSH public key line (400 if it is not one)."""
    line = public_key.strip()
    try:
        serialization.load_ssh_public_key(line.encode('utf-8'))
        blob = base64.b64decode(line.split()[1], validate=True)
    except (ValueError, IndexError, UnicodeError, TypeError):
        raise _invalid('failed to generate fingerprint')
    return _colon_hex(hashlib.md5(blob, usedforsecurity=False).digest())


def x509_fingerprint(pem):
    try:
        cert = x509.load_pem_x509_certificate(pem.encode('utf-8'))
    except (ValueError, UnicodeError):
        raise _invalid('failed to generate fingerprint')
    return _colon_hex(cert.fingerprint(hashes.SHA1()))


def fingerprint(public_key, key_type):
    return x509_fingerprint(public_key) if key_type == 'x509' else ssh_fingerprint(public_key)


def _rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def generate_ssh():
    """(private key PEM, public key line, fingerprint) of a new RSA 2048 key."""
    key = _rsa_key()
    private = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH).decode()
    public += ' Generated-by-Nova'
    return private, public, ssh_fingerprint(public)


def generate_x509(user_id):
    """(private key PEM, self-signed certificate PEM, fingerprint) for ``user_id``."""
    key = _rsa_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, str(user_id)[:64] or 'user')])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=3650))
            .sign(key, hashes.SHA256()))
    private = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption()).decode()
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    return private, pem, x509_fingerprint(pem)
