"""Encryption at rest of stored credential blobs (EC2/S3 secrets and every other type).

The Fernet key lives in identity's key repository (``credential.fernet``, mode 0600, in
the 0700 directory of the signing keys), never in the database: a copy of the database
alone reveals no secret.  Each row keeps the hash of the key that encrypted it, so a
wrong or replaced key is reported as such instead of as garbage.
"""
import hashlib
import os

from cryptography import fernet

FILENAME = 'credential.fernet'


class KeyMismatch(RuntimeError):
    """A stored blob was encrypted with another key than the repository's."""


class CredentialKeys:
    def __init__(self, key_dir):
        self.path = os.path.join(key_dir, FILENAME)
        self._fernet = None
        self._hash = None

    def exists(self):
        return os.path.exists(self.path)

    def setup(self):
        """Create the key if there is none (never replaces one); return its hash."""
        directory = os.path.dirname(self.path)
        os.makedirs(directory, mode=0o700, exist_ok=True)
        if not self.exists():
            tmp = '%s.%d.tmp' % (self.path, os.getpid())
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, 'wb') as handle:
                handle.write(fernet.Fernet.generate_key())
            try:
                os.link(tmp, self.path)  # fails if another process made one meanwhile
            except FileExistsError:
                pass
            finally:
                os.unlink(tmp)
        return self._load()[1]

    def _load(self):
        if self._fernet is None:
            try:
                with open(self.path, 'rb') as handle:
                    key = handle.read().strip()
            except FileNotFoundError:
                raise RuntimeError('credential key %s is missing; run identity-manage '
                                   'key-setup' % self.path)
            self._fernet = fernet.Fernet(key)
            self._hash = hashlib.sha256(key).hexdigest()
        return self._fernet, self._hash

    def encrypt(self, text):
        """(ciphertext, key hash) of a blob."""
        box, key_hash = self._load()
        return box.encrypt(text.encode('utf-8')).decode('ascii'), key_hash

    def decrypt(self, ciphertext, key_hash):
        box, current = self._load()
        if key_hash != current:
            raise KeyMismatch('credential encrypted with key %s..., the repository has %s...'
                              % ((key_hash or '?')[:8], current[:8]))
        try:
            return box.decrypt(ciphertext.encode('ascii')).decode('utf-8')
        except fernet.InvalidToken:
            raise KeyMismatch('credential blob does not decrypt with key %s...' % current[:8])


def key_dir(conf):
    """Identity's key repository directory (signing keys and the credential key)."""
    return conf.identity.key_repository or os.path.join(conf.state_path, 'keys')
