"""Small helpers shared by the proxy app and its middlewares: paths, timestamps,
errors, sub-requests and the environ keys the pipeline passes along."""
import functools
import time
import urllib.parse

import webob

from common import exceptions

# environ keys (never reachable from HTTP headers, which all start with HTTP_)
AUTHORIZE = 'objectstore.authorize'          # callable(req, acl=None) -> None | Response
AUTHORIZE_OVERRIDE = 'objectstore.authorize_override'  # True: request already authorized
INFOCACHE = 'objectstore.infocache'           # {path: info dict} shared with sub-requests
OWNER = 'objectstore.owner'                   # set by authorize when the caller owns the account
SOURCE = 'objectstore.source'                 # which middleware made a sub-request
TEMPURL = 'objectstore.tempurl'               # set by TempURL on requests it authorized
KEEP_SYSMETA = 'objectstore.keep_sysmeta'     # the layer above reads (and hides) sysmeta
SYNC_TIMESTAMP = 'objectstore.sync_timestamp'  # a verified container sync write's X-Timestamp

# Identity headers the auth middleware sets; sub-requests carry them so the user's rights
# apply to what a middleware does on the user's behalf.
_COPIED_HEADERS = ('HTTP_X_IDENTITY_STATUS', 'HTTP_X_USER_ID', 'HTTP_X_USER_NAME',
                   'HTTP_X_PROJECT_ID', 'HTTP_X_PROJECT_NAME', 'HTTP_X_ROLES',
                   'HTTP_X_USER_DOMAIN_ID', 'HTTP_X_PROJECT_DOMAIN_ID', 'HTTP_X_AUTH_TOKEN',
                   'HTTP_X_SERVICE_ROLES', 'HTTP_REFERER', 'HTTP_USER_AGENT', 'HTTP_HOST',
                   'REMOTE_ADDR', 'SERVER_NAME', 'SERVER_PORT', 'wsgi.url_scheme',
                   'SERVER_PROTOCOL', 'openstack.request_id', 'openstack.context')


def timestamp(now=None):
    """The X-Timestamp of a write: seconds with 5 decimals (newest wins on the servers)."""
    return '%.5f' % (time.time() if now is None else now)


def quote(text, safe='/'):
    return urllib.parse.quote(text, safe=safe)


def split_path(path):
    """``/v1/<account>[/<container>[/<object>]]`` -> (version, account, container, obj).

    Object names keep any further slashes (and may end with one)."""
    if not path.startswith('/'):
        raise exceptions.BadRequest('Path %r must start with /' % path)
    parts = path[1:].split('/', 3)
    version = parts[0]
    account = parts[1] if len(parts) > 1 and parts[1] else None
    container = parts[2] if len(parts) > 2 and parts[2] else None
    obj = parts[3] if len(parts) > 3 and parts[3] else None
    if account is None:
        raise exceptions.BadRequest('Path %r names no account' % path)
    if obj is not None and container is None:
        raise exceptions.BadRequest('Path %r names an object without a container' % path)
    return version, account, container, obj


def request_parts(req):
    """(version, account, container, obj) of a request's path, or None for a path that
    names no account (/info, /crossdomain.xml, S3 buckets' roots...): such requests
    pass by the layers that act on Swift paths."""
    try:
        return split_path(path_of(req))
    except exceptions.APIError:
        return None


def error_response(code, message, headers=None):
    """A plain-text error, as the object store API answers (clients print the body)."""
    title = exceptions.for_status(code).title if code in exceptions.BY_CODE else ''
    resp = webob.Response(status=code, content_type='text/plain', charset='UTF-8',
                          body=('%s\n' % (message or title)).encode('utf-8'))
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def http_error(code, message, **headers):
    """An APIError carrying ``code`` (rendered by ``handle_errors``)."""
    err = exceptions.for_status(code, message)
    if headers:
        err.extra['headers'] = headers
    return err


def handle_errors(method):
    """Decorate ``handle(self, req) -> Response`` into a WSGI ``__call__`` that answers
    APIErrors as plain-text responses at this layer (sub-requests get responses, not
    exceptions)."""
    @functools.wraps(method)
    def wsgi(self, env, start_response):
        req = webob.Request(env)
        try:
            resp = method(self, req)
        except exceptions.APIError as exc:
            resp = error_response(exc.code, exc.message, exc.extra.get('headers'))
        return resp(env, start_response)
    return wsgi


def subrequest(env, method, path, headers=None, body=None, query=None, preauthed=False,
               source=None):
    """A webob Request for ``path`` (unquoted) carrying the caller's identity and caches.

    ``preauthed`` marks it as already authorized (internal reads such as container info)."""
    new_env = {k: env[k] for k in _COPIED_HEADERS if k in env}
    for key, value in env.items():
        if key.startswith('objectstore.') and key not in (AUTHORIZE_OVERRIDE, SOURCE, OWNER):
            new_env[key] = value
    new_env.setdefault(INFOCACHE, env.setdefault(INFOCACHE, {}))
    if env.get(AUTHORIZE_OVERRIDE) or preauthed:
        new_env[AUTHORIZE_OVERRIDE] = True
    new_env[SOURCE] = source or env.get(SOURCE) or 'proxy'
    new_env['REQUEST_METHOD'] = method
    new_env['SCRIPT_NAME'] = ''
    # PEP 3333: PATH_INFO holds the UTF-8 bytes as latin-1 text
    new_env['PATH_INFO'] = path.encode('utf-8').decode('latin-1')
    new_env['QUERY_STRING'] = urllib.parse.urlencode(query or {}, quote_via=urllib.parse.quote)
    req = webob.Request(new_env)
    if body is not None:
        if isinstance(body, bytes):
            req.body = body
        else:  # a file-like object streamed through
            req.body_file = body
            req.content_length = None
            req.headers['Transfer-Encoding'] = 'chunked'
    else:
        if method in ('PUT', 'POST'):
            new_env['CONTENT_LENGTH'] = '0'
        new_env['wsgi.input'] = _EMPTY()
    for key, value in (headers or {}).items():
        req.headers[key] = value
    return req


class _EMPTY:
    def read(self, *_args):
        return b''

    def readline(self, *_args):
        return b''


def close_if_possible(resp):
    """Release a sub-response's body (its backend connection) without reading it."""
    iterator = getattr(resp, 'app_iter', None)
    if iterator is not None and hasattr(iterator, 'close'):
        iterator.close()


def path_of(req):
    """The request path as text; 412 when it is not UTF-8 (as the reference answers)."""
    try:
        path = req.path_info
    except UnicodeDecodeError:
        raise http_error(412, 'The path is not valid UTF-8')
    if '\x00' in path:
        raise http_error(412, 'The path contains a NUL character')
    return path


def is_success(status):
    return 200 <= status < 300


def header_true(value):
    return str(value or '').strip().lower() in ('1', 'true', 'yes', 'on', 't', 'y')


def account_of_project(reseller_prefix, project_id):
    return '%s%s' % (reseller_prefix, project_id)
