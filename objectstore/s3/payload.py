"""Request bodies of S3 uploads: SHA-256 checked against x-amz-content-sha256, and
aws-chunked (STREAMING-UNSIGNED-PAYLOAD-TRAILER) decoded, both while streaming."""
import hashlib

MISMATCH = 's3.payload_mismatch'  # environ flag: the body did not match its hash


class PayloadError(ValueError):
    """The body does not match what the request said (read aborts the upload)."""


class Sha256Reader:
    """Passes ``length`` bytes through; before handing out the last ones, checks the
    SHA-256 so a mismatching body is never completely stored."""

    def __init__(self, source, length, expected, env):
        self.source = source
        self.remaining = length
        self.expected = expected
        self.env = env
        self.sha = hashlib.sha256()

    def read(self, size=-1):
        if self.remaining <= 0:
            self._verify()
            return b''
        want = self.remaining if size is None or size < 0 else min(size, self.remaining)
        data = self.source.read(want)
        self.sha.update(data)
        self.remaining -= len(data)
        if not data or self.remaining <= 0:
            self._verify()
        return data

    def _verify(self):
        if self.sha.hexdigest() != self.expected:
            self.env[MISMATCH] = True
            raise PayloadError('x-amz-content-sha256 mismatch')


class AwsChunkedReader:
    """Decodes ``<hex size>[;chunk-signature=...]\\r\\n<data>\\r\\n ... 0\\r\\n<trailers>``."""

    def __init__(self, source, env):
        self.source = source
        self.env = env
        self.left = 0
        self.done = False

    def _line(self):
        line = self.source.readline(4096)
        if not line.endswith(b'\n'):
            self.env[MISMATCH] = True
            raise PayloadError('malformed aws-chunked body')
        return line.strip()

    def read(self, size=-1):
        if self.done:
            return b''
        if self.left == 0:
            header = self._line()
            try:
                self.left = int(header.split(b';', 1)[0], 16)
            except ValueError:
                self.env[MISMATCH] = True
                raise PayloadError('malformed aws-chunked size %r' % header[:40])
            if self.left == 0:
                self.done = True
                while self._line():  # trailers end with an empty line
                    pass
                return b''
        want = self.left if size is None or size < 0 else min(size, self.left)
        data = self.source.read(want)
        if not data:
            self.env[MISMATCH] = True
            raise PayloadError('aws-chunked body ended early')
        self.left -= len(data)
        if self.left == 0:
            self.source.read(2)  # CRLF after the chunk data
        return data
