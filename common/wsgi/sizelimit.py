"""Refuse request bodies larger than ``[api] max_request_body_size`` with a 413.

It sits right after the fault wrapper in every paste pipeline, so the 413 carries the API's
own fault body and nothing (not even token validation) reads more than the limit. A body
announced larger is refused before it is read; a chunked body is cut off as soon as it
passes the limit. Streaming uploads (image data, objects) are exempted per pipeline:

    [filter:sizelimit]
    paste.filter_factory = common.wsgi.sizelimit:RequestBodyLimit.factory
    # one exemption a line: METHOD PATH-REGEX [QUERY-PARAMETER]
    exempt =
        PUT /v2/images/[^/]+/file
"""
import re

from common import config
from common import exceptions


def _too_large(limit):
    return exceptions.RequestEntityTooLarge(
        'Request body is larger than %d bytes, the limit of this API.' % limit)


class _LimitedInput:
    """wsgi.input that raises a 413 once more than ``limit`` bytes have been read."""

    def __init__(self, stream, limit):
        self._stream = stream
        self._limit = limit
        self._read = 0

    def _count(self, data):
        self._read += len(data)
        if self._read > self._limit:
            raise _too_large(self._limit)
        return data

    def read(self, size=-1):
        # Never ask for more than one byte past the limit: that byte proves the excess.
        room = self._limit + 1 - self._read
        size = room if size is None or size < 0 else min(size, room)
        return self._count(self._stream.read(max(size, 0)))

    def readline(self, size=-1):
        room = self._limit + 1 - self._read
        size = room if size is None or size < 0 else min(size, room)
        return self._count(self._stream.readline(max(size, 0)))

    def readlines(self, hint=-1):
        return list(iter(self.readline, b''))

    def __iter__(self):
        return iter(self.readline, b'')


def parse_exemptions(text):
    """[(method, compiled path regex, query parameter or None)] from the ``exempt`` lines."""
    rules = []
    for line in (text or '').splitlines():
        words = line.split()
        if not words:
            continue
        if len(words) not in (2, 3):
            raise ValueError('sizelimit exemption %r is not "METHOD PATH-REGEX [PARAM]"'
                             % line)
        rules.append((words[0].upper(), re.compile(words[1]),
                      words[2] if len(words) == 3 else None))
    return rules


class RequestBodyLimit:
    """Bodies of at most ``limit`` bytes pass, except on exempted requests."""

    def __init__(self, app, limit, exemptions=()):
        self.app = app
        self.limit = limit
        self.exemptions = list(exemptions)

    @classmethod
    def factory(cls, global_conf, **local_conf):
        conf = config.from_paste(global_conf)
        exemptions = parse_exemptions(local_conf.get('exempt'))

        def _filter(app):
            return cls(app, conf.api.max_request_body_size, exemptions)
        return _filter

    def exempt(self, environ):
        method = environ.get('REQUEST_METHOD', '')
        path = environ.get('PATH_INFO', '')
        query = environ.get('QUERY_STRING', '')
        params = {part.split('=', 1)[0] for part in query.split('&') if part}
        return any(method == m and pattern.fullmatch(path) and (param is None or param in params)
                   for m, pattern, param in self.exemptions)

    def __call__(self, environ, start_response):
        if self.limit and not self.exempt(environ):
            length = environ.get('CONTENT_LENGTH') or ''
            if length:
                if not length.isdigit():
                    raise exceptions.BadRequest('Content-Length must be a number of bytes.')
                if int(length) > self.limit:
                    raise _too_large(self.limit)
            # A body webob already holds in memory was counted by its Content-Length.
            if not (length and environ.get('webob.is_body_seekable')):
                environ['wsgi.input'] = _LimitedInput(environ['wsgi.input'], self.limit)
        return self.app(environ, start_response)
