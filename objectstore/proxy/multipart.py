"""A streaming reader of ``multipart/form-data`` bodies (RFC 7578).

Parts come one at a time as (headers, reader); a part's data is read in bounded chunks
straight from the request body, so a form carrying a large file never sits in memory.
Anything malformed raises ``MultipartError`` with what is wrong."""
import email.message
import email.parser
import email.policy
import email.utils

MAX_HEADER_BYTES = 16384
MAX_PREAMBLE_BYTES = 65536


class MultipartError(ValueError):
    """The body is not the multipart document its Content-Type announced."""


def boundary_of(content_type):
    """The boundary of a ``multipart/form-data`` Content-Type, or None for other types."""
    msg = email.message.Message()
    msg['Content-Type'] = content_type or ''
    if msg.get_content_type() != 'multipart/form-data':
        return None
    boundary = msg.get_param('boundary')
    if not isinstance(boundary, str) or not 0 < len(boundary) <= 70:
        raise MultipartError('invalid starting boundary')
    return boundary


def disposition(headers):
    """(disposition type, {parameter: value}) of a part's Content-Disposition."""
    msg = email.message.Message()
    msg['Content-Disposition'] = headers.get('Content-Disposition', '')
    params = {}
    for key, value in msg.get_params(header='content-disposition', failobj=[])[1:]:
        params[key.lower()] = email.utils.collapse_rfc2231_value(value)
    return msg.get_content_disposition(), params


class MultipartReader:
    """``for headers, part in MultipartReader(stream, boundary)``; read each ``part``
    (``part.read(n)``) before asking for the next, or it is skipped."""

    def __init__(self, stream, boundary, chunk_size=65536):
        self.stream = stream
        self.chunk_size = chunk_size
        # The first delimiter may open the body without the CRLF the others follow.
        self.delimiter = b'\r\n--' + boundary.encode('latin-1')
        self.buf = b'\r\n'
        self.eof = False
        self.done = False
        self._part = None

    def _fill(self):
        if self.eof:
            return False
        data = self.stream.read(self.chunk_size)
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def _skip_to_delimiter(self, limit=None):
        """Drop everything up to and including the next delimiter."""
        dropped = 0
        while True:
            idx = self.buf.find(self.delimiter)
            if idx >= 0:
                self.buf = self.buf[idx + len(self.delimiter):]
                return
            keep = len(self.delimiter) - 1
            dropped += max(0, len(self.buf) - keep)
            self.buf = self.buf[-keep:]
            if limit is not None and dropped > limit:
                raise MultipartError('invalid starting boundary')
            if not self._fill():
                raise MultipartError('the body ended before the closing boundary')

    def _need(self, count):
        while len(self.buf) < count:
            if not self._fill():
                raise MultipartError('the body ended before the closing boundary')

    def _headers(self):
        self._need(2)
        if self.buf.startswith(b'\r\n'):  # a part without headers
            self.buf = self.buf[2:]
            return email.message.Message()
        while True:
            idx = self.buf.find(b'\r\n\r\n')
            if 0 <= idx <= MAX_HEADER_BYTES:
                break
            if len(self.buf) > MAX_HEADER_BYTES or not self._fill():
                raise MultipartError('part headers are malformed or too long')
        raw, self.buf = self.buf[:idx + 2], self.buf[idx + 4:]
        try:
            text = raw.decode('utf-8')
        except UnicodeDecodeError:
            raise MultipartError('part headers are not UTF-8')
        return email.parser.HeaderParser(policy=email.policy.compat32).parsestr(text)

    def __iter__(self):
        self._skip_to_delimiter(MAX_PREAMBLE_BYTES)
        while True:
            self._need(2)
            marker, self.buf = self.buf[:2], self.buf[2:]
            if marker == b'--':
                self.done = True
                return
            if marker != b'\r\n':
                raise MultipartError('a boundary line is followed by %r' % marker)
            headers = self._headers()
            self._part = _Part(self)
            yield headers, self._part
            self._part.drain()
            self._skip_to_delimiter()


class _Part:
    """The data of one part, up to the next delimiter."""

    def __init__(self, reader):
        self.reader = reader
        self.finished = False

    def read(self, size=65536):
        reader = self.reader
        if self.finished:
            return b''
        if size is None or size < 0:
            size = reader.chunk_size
        while True:
            idx = reader.buf.find(reader.delimiter)
            if idx >= 0:
                count = min(size, idx)
                if count == 0:
                    self.finished = True
                    return b''
            else:
                # all but what could be the start of a delimiter is the part's
                count = min(size, len(reader.buf) - len(reader.delimiter) + 1)
            if count > 0:
                data, reader.buf = reader.buf[:count], reader.buf[count:]
                return data
            if not reader._fill():
                raise MultipartError('the body ended inside a part')

    def read_at_most(self, limit):
        """The whole part if it is at most ``limit`` bytes, else MultipartError."""
        data = b''
        while True:
            chunk = self.read(limit + 1 - len(data))
            if not chunk:
                return data
            data += chunk
            if len(data) > limit:
                raise MultipartError('a form field is longer than %d bytes' % limit)

    def drain(self):
        while self.read():
            pass
