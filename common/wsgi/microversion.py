"""API microversions: ``OpenStack-API-Version: <service> X.Y`` (compute, block storage).

A request names the version it speaks; no header means the minimum, ``latest`` the
maximum.  A malformed version is a 400, one outside [min, max] a 406.  Every response
says which version answered, in the new header and the service's legacy one::

    spec = microversion.Spec('compute', '2.1', '2.90',
                             legacy_header='X-OpenStack-Nova-API-Version')
    pipeline: ... -> microversion.Middleware(app, spec) -> app
    controller: if microversion.of(req) >= (2, 47): ...
"""
import functools
import re

import webob
import webob.dec

from common import exceptions

HEADER = 'OpenStack-API-Version'
ENVIRON_KEY = 'cirrostack.api_version'
_VERSION_RE = re.compile(r'^([1-9]\d*)\.([1-9]\d*|0)$')


@functools.total_ordering
class APIVersion:
    """A comparable ``major.minor``; compares with tuples too (``v >= (2, 47)``)."""

    def __init__(self, major, minor):
        self.major, self.minor = int(major), int(minor)

    @classmethod
    def parse(cls, text):
        match = _VERSION_RE.match(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise exceptions.BadRequest(
                'API Version String %s is of invalid format. Must be of format '
                'MajorNum.MinorNum.' % (text,))
        return cls(match.group(1), match.group(2))

    def _key(self, other):
        return (other.major, other.minor) if isinstance(other, APIVersion) else tuple(other)

    def __eq__(self, other):
        return (self.major, self.minor) == self._key(other)

    def __lt__(self, other):
        return (self.major, self.minor) < self._key(other)

    def __hash__(self):
        return hash((self.major, self.minor))

    def __str__(self):
        return '%d.%d' % (self.major, self.minor)

    __repr__ = __str__


class Spec:
    """What one API accepts: its service name in the header, min and max, legacy header."""

    def __init__(self, service, min_version, max_version, legacy_header=None):
        self.service = service
        self.min = APIVersion.parse(min_version)
        self.max = APIVersion.parse(max_version)
        self.legacy_header = legacy_header

    def requested(self, headers):
        """The version text a request asks for, or None (the new header wins)."""
        for item in (headers.get(HEADER) or '').split(','):
            parts = item.strip().split(None, 1)
            if len(parts) == 2 and parts[0].lower() == self.service.lower():
                return parts[1].strip()
        if self.legacy_header and headers.get(self.legacy_header):
            return headers[self.legacy_header].strip()
        return None

    def negotiate(self, headers):
        """The APIVersion to answer with; BadRequest (400) or NotAcceptable (406)."""
        text = self.requested(headers)
        if text is None:
            return self.min
        if text.lower() == 'latest':
            return self.max
        version = APIVersion.parse(text)
        if not self.min <= version <= self.max:
            raise exceptions.NotAcceptable(
                'Version %s is not supported by the API. Minimum is %s and maximum is %s.'
                % (version, self.min, self.max))
        return version

    def response_headers(self, version):
        headers = [(HEADER, '%s %s' % (self.service, version))]
        vary = [HEADER]
        if self.legacy_header:
            headers.append((self.legacy_header, str(version)))
            vary.append(self.legacy_header)
        headers.append(('Vary', ', '.join(vary)))
        return headers


class Middleware:
    """Negotiates the version of each request (``of(req)`` reads it) and stamps the
    answer's headers; a refused version is raised for the fault wrapper to render."""

    def __init__(self, app, spec):
        self.app = app
        self.spec = spec

    @webob.dec.wsgify
    def __call__(self, req):
        version = self.spec.negotiate(req.headers)
        req.environ[ENVIRON_KEY] = version
        resp = req.get_response(self.app)
        for name, value in self.spec.response_headers(version):
            if name == 'Vary' and resp.headers.get('Vary'):
                value = '%s, %s' % (resp.headers['Vary'], value)
            resp.headers[name] = value
        return resp


def of(req):
    """The negotiated APIVersion of a request (set by Middleware)."""
    environ = req.environ if isinstance(req, webob.Request) else req
    return environ[ENVIRON_KEY]
