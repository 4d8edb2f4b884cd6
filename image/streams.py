"""Streaming image data: reading a request body in chunks, and measuring what passes."""
import hashlib

from image import formats


class ClientDisconnected(Exception):
    """The client stopped sending before the body was complete."""


class TooLarge(Exception):
    """More data arrived than a quota or the size cap allows; the message says which."""


def request_chunks(environ, content_length, chunk_size):
    """Yield the request body in chunks of at most ``chunk_size`` bytes.

    With a Content-Length the body must be that long; chunked bodies end where the client
    says.  A body that stops short raises ClientDisconnected.
    """
    stream = environ['wsgi.input']
    remaining = content_length
    while remaining is None or remaining > 0:
        want = chunk_size if remaining is None else min(chunk_size, remaining)
        try:
            data = stream.read(want)
        except (OSError, ValueError) as exc:
            # eventlet raises these when a chunked body is cut off mid-way.
            raise ClientDisconnected('the request body ended early: %s' % exc)
        if not data:
            if remaining:
                raise ClientDisconnected('the request body ended %d bytes short of its '
                                         'Content-Length' % remaining)
            return
        if remaining is not None:
            remaining -= len(data)
        yield data


class Meter:
    """Passes chunks through while counting, hashing (MD5, SHA-512), enforcing a byte
    limit and showing the data to a format inspector."""

    def __init__(self, chunks, limit=None, limit_message='', disk_format=None):
        self._chunks = chunks
        self.limit = limit
        self.limit_message = limit_message
        self.size = 0
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.sha512 = hashlib.sha512()
        self.inspector = formats.Inspector(disk_format) if disk_format else None

    def __iter__(self):
        for chunk in self._chunks:
            self.size += len(chunk)
            if self.limit is not None and self.size > self.limit:
                raise TooLarge(self.limit_message)
            self.md5.update(chunk)
            self.sha512.update(chunk)
            if self.inspector is not None:
                self.inspector.feed(chunk)
            yield chunk

    def finish(self):
        """Final format check; the image fields the data determines."""
        virtual_size = self.inspector.finish(self.size) if self.inspector else self.size
        return {'size': self.size, 'virtual_size': virtual_size,
                'checksum': self.md5.hexdigest(), 'os_hash_algo': 'sha512',
                'os_hash_value': self.sha512.hexdigest()}
