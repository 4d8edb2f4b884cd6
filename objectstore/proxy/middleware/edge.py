"""What every request and response crosses first and last at the proxy.

Requests: a path that is not UTF-8 (or holds NUL) is refused with 412, as Swift answers,
and a query string that is not UTF-8 with 400, before any layer decodes them; system
metadata and X-Backend-* headers a client sends are dropped.

Responses: names and metadata are tenant text; a header value holding a control character
(CR/LF would start a new header line) or text beyond Latin-1 (the server could not encode
it and would drop the connection) is percent-encoded, and a header whose name is not an
HTTP token is dropped.  The layers build safe headers themselves (TempURL's
Content-Disposition, versioning's locations); this keeps one miss from becoming an
injected header.  Every answer names a Content-Type, bodiless ones (204, HEAD, 304)
included, as Swift's do: clients and tempest expect one.
"""
import logging
import re
import urllib.parse

from objectstore.proxy import utils

LOG = logging.getLogger(__name__)
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# tab, printable ASCII and the obs-text bytes 0x80-0xff (WSGI carries bytes as Latin-1)
_UNSAFE = re.compile(r'[^\t\x20-\x7e\x80-\xff]')
DEFAULT_CONTENT_TYPE = 'text/plain; charset=utf-8'
_SYSTEM_ENV_PREFIXES = tuple('HTTP_X_%s_' % kind for kind in (
    'ACCOUNT_SYSMETA', 'CONTAINER_SYSMETA', 'OBJECT_SYSMETA', 'OBJECT_TRANSIENT_SYSMETA',
    'BACKEND'))


def safe_value(value):
    return _UNSAFE.sub(lambda m: urllib.parse.quote(m.group(0).encode('utf-8', 'replace'),
                                                    safe=''), value)


def safe_headers(headers):
    out = []
    if not any(name.lower() == 'content-type' for name, _ in headers):
        out.append(('Content-Type', DEFAULT_CONTENT_TYPE))
    for name, value in headers:
        if not _TOKEN.fullmatch(name):
            LOG.warning('dropped a response header with a malformed name %r', name)
            continue
        clean = safe_value(value)
        if clean != value:
            LOG.warning('response header %s had unsafe characters; sent encoded', name)
        out.append((name, clean))
    return out


def _utf8(wsgi_text):
    """Whether a WSGI string (bytes carried as Latin-1) holds UTF-8."""
    try:
        wsgi_text.encode('latin-1').decode('utf-8')
    except UnicodeError:
        return False
    return True


def strip_system_headers(env):
    """Drop request headers no client may send: system metadata (the proxy's layers
    write it on their own sub-requests) and the internal X-Backend-* headers."""
    for key in [k for k in env if k.startswith(_SYSTEM_ENV_PREFIXES)]:
        del env[key]


def request_error(env):
    """The error response for a path or query no layer could decode, else None."""
    path = env.get('PATH_INFO', '')
    if not _utf8(path):
        return utils.error_response(412, 'The path is not valid UTF-8')
    if '\x00' in path:
        return utils.error_response(412, 'The path contains a NUL character')
    query = env.get('QUERY_STRING', '')
    try:
        urllib.parse.unquote_to_bytes(query.encode('latin-1')).decode('utf-8')
    except UnicodeError:
        return utils.error_response(400, 'The query string is not valid UTF-8')
    return None


class Edge:
    """paste filter ``objectstore.proxy.middleware.edge:filter_factory``."""

    def __init__(self, app):
        self.app = app

    def __call__(self, env, start_response):
        def _start(status, headers, exc_info=None):
            return start_response(status, safe_headers(headers), exc_info)
        refused = request_error(env)
        if refused is not None:
            return refused(env, _start)
        strip_system_headers(env)
        return self.app(env, _start)


def filter_factory(global_conf, **local_conf):
    return Edge
