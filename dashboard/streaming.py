"""Request bodies streamed through the dashboard to a service (uploads of images and
objects are never held in memory)."""
from common import exceptions

CHUNK = 64 * 1024


class ClientGone(Exception):
    """The browser sent fewer bytes than its Content-Length announced."""


class BodyReader:
    """A file-like view of exactly Content-Length bytes of a request body; ``len()`` is
    that length, so the service gets a Content-Length too."""

    def __init__(self, stream, length):
        self.stream = stream
        self.length = length
        self.read_bytes = 0

    def __len__(self):
        return self.length

    def read(self, size=CHUNK):
        remaining = self.length - self.read_bytes
        if remaining <= 0:
            return b''
        if size is None or size < 0 or size > remaining:
            size = remaining
        data = self.stream.read(min(size, CHUNK))
        if not data:
            raise ClientGone('the upload ended after %d of %d bytes'
                             % (self.read_bytes, self.length))
        self.read_bytes += len(data)
        return data


def request_body(req):
    """The body of an upload request; 411 without a Content-Length, 400 when empty."""
    if req.content_length is None:
        raise exceptions.LengthRequired('The upload needs a Content-Length.')
    if req.content_length <= 0:
        raise exceptions.BadRequest('The file is empty.')
    return BodyReader(req.environ['wsgi.input'], req.content_length)


def response_body(resp, chunk=CHUNK):
    """Iterate a streamed requests.Response and close it at the end."""
    try:
        for data in resp.iter_content(chunk):
            yield data
    finally:
        resp.close()
