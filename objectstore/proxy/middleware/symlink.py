"""Symbolic links: ``PUT`` of an empty object with ``X-Symlink-Target: <container>/<object>``
(and optionally ``X-Symlink-Target-Account``) makes a link; GET and HEAD of the link
answer with its target (``Content-Location`` names it), following at most
``symloop_max`` links; ``?symlink=get`` reads the link itself.

A link grants nothing: its target is read with the caller's own rights (a TempURL or
any other authorization of the link's path does not reach the target).  With
``X-Symlink-Target-Etag`` the link is static: the target must have that ETag when the
link is made and whenever it is read (409 otherwise).  The target is kept in the link's
system metadata, which clients can neither set nor see; listings show it as
``symlink_path``.
"""
import urllib.parse

from objectstore.proxy import info
from objectstore.proxy import utils

SYMLOOP_MAX = 2
TARGET = 'X-Object-Sysmeta-Symlink-Target'
TARGET_ACCOUNT = 'X-Object-Sysmeta-Symlink-Target-Account'
TARGET_ETAG = 'X-Object-Sysmeta-Symlink-Target-Etag'
CLIENT_HEADERS = ('X-Symlink-Target', 'X-Symlink-Target-Account', 'X-Symlink-Target-Etag')
# what a read of the link passes on to the read of its target
FORWARDED = ('range', 'if-match', 'if-none-match', 'if-modified-since',
             'if-unmodified-since')


def parse_target(value):
    """(container, object) of an X-Symlink-Target value, or a 412 naming the form."""
    try:
        text = urllib.parse.unquote(value or '', errors='strict')
    except UnicodeDecodeError:
        raise utils.http_error(412, 'X-Symlink-Target is not UTF-8 once URL-decoded')
    container, sep, obj = text.partition('/')
    if not sep or not container or not obj or any(c < ' ' for c in text):
        raise utils.http_error(412, 'X-Symlink-Target header must be of the form '
                                    '<container name>/<object name>')
    return container, obj


def _sysmeta(headers):
    return {k: v for k, v in headers.items() if k.lower().startswith('x-object-sysmeta-')}


class Symlink:
    def __init__(self, app, symloop_max=SYMLOOP_MAX):
        self.app = app
        self.symloop_max = symloop_max

    @utils.handle_errors
    def __call__(self, req):
        if info.is_info_request(req):
            return info.add_capability(req, self.app, 'symlink', {
                'symloop_max': self.symloop_max, 'static_links': True})
        parts = utils.request_parts(req)
        if parts is None or parts[3] is None:
            return req.get_response(self.app)
        _v, account, container, obj = parts
        asked = [h for h in CLIENT_HEADERS if h in req.headers]
        if req.method == 'PUT' and 'X-Symlink-Target' in req.headers:
            return self.make_link(req, account, container, obj)
        if asked:
            raise utils.http_error(400, 'A PUT request is required to set a symlink target')
        if req.method not in ('GET', 'HEAD'):
            return req.get_response(self.app)
        if req.GET.get('symlink') == 'get':
            return self.read_link(req)
        return self.follow(req, account)

    # -- making a link ---------------------------------------------------------
    def make_link(self, req, account, container, obj):
        chunked = 'chunked' in req.headers.get('Transfer-Encoding', '').lower()
        if req.content_length not in (None, 0) or (req.content_length is None and chunked
                                                   and req.body_file.read(1)):
            raise utils.http_error(400, 'Symlink requests require a zero byte body')
        t_container, t_obj = parse_target(req.headers['X-Symlink-Target'])
        t_account = req.headers.get('X-Symlink-Target-Account') or account
        if '/' in t_account or not t_account.strip():
            raise utils.http_error(412, 'X-Symlink-Target-Account must name an account')
        headers = {k: v for k, v in req.headers.items()
                   if k.lower().startswith('x-object-meta-') or k.lower() in (
                       'content-type', 'content-disposition', 'content-encoding',
                       'x-delete-at', 'x-delete-after', 'if-none-match')}
        headers.setdefault('Content-Type', 'application/symlink')
        headers[TARGET] = utils.quote('%s/%s' % (t_container, t_obj))
        if t_account != account:
            headers[TARGET_ACCOUNT] = utils.quote(t_account, safe='')
        etag = req.headers.get('X-Symlink-Target-Etag')
        if etag is not None:
            etag = etag.strip().strip('"')
            head = self._read(req, 'HEAD', '/v1/%s/%s/%s' % (t_account, t_container, t_obj),
                              {})
            utils.close_if_possible(head)
            if head.status_int // 100 != 2:
                raise utils.http_error(409, 'X-Symlink-Target %s/%s does not exist (%s)' % (
                    t_container, t_obj, head.status))
            found = (head.headers.get('ETag') or '').strip('"')
            if found != etag:
                raise utils.http_error(409, 'Object Etag %r does not match '
                                       'X-Symlink-Target-Etag header %r' % (found, etag))
            headers[TARGET_ETAG] = etag
        # a sub-request: only the proxy's own layers may write system metadata
        sub = utils.subrequest(req.environ, 'PUT', utils.path_of(req), headers=headers,
                               body=b'', source='symlink')
        resp = sub.get_response(self.app)
        self._hide(resp)
        return resp

    # -- reading ---------------------------------------------------------------
    def _read(self, req, method, path, headers):
        """A read with the caller's own rights, never an authorization of the link."""
        sub = utils.subrequest(req.environ, method, path, headers=headers, source='symlink')
        sub.environ.pop(utils.AUTHORIZE_OVERRIDE, None)
        return sub.get_response(self.app)

    @staticmethod
    def _hide(resp):
        for name in list(_sysmeta(resp.headers)):
            del resp.headers[name]

    def _own_read(self, req):
        """The request itself, with the object's system metadata kept for this layer."""
        req.environ[utils.KEEP_SYSMETA] = True
        try:
            return req.get_response(self.app)
        finally:
            req.environ.pop(utils.KEEP_SYSMETA, None)

    def read_link(self, req):
        resp = self._own_read(req)
        target = resp.headers.get(TARGET)
        if target:
            resp.headers['X-Symlink-Target'] = target
            if resp.headers.get(TARGET_ACCOUNT):
                resp.headers['X-Symlink-Target-Account'] = resp.headers[TARGET_ACCOUNT]
            if resp.headers.get(TARGET_ETAG):
                resp.headers['X-Symlink-Target-Etag'] = resp.headers[TARGET_ETAG]
        self._hide(resp)
        return resp

    def follow(self, req, account):
        resp = self._own_read(req)
        forwarded = {k: v for k, v in req.headers.items() if k.lower() in FORWARDED}
        hops = 0
        while resp.headers.get(TARGET):
            if hops >= self.symloop_max:
                utils.close_if_possible(resp)
                raise utils.http_error(409, 'Too many levels of symbolic links, maximum '
                                            'allowed is %d' % self.symloop_max)
            hops += 1
            t_account = urllib.parse.unquote(resp.headers.get(TARGET_ACCOUNT) or '') \
                or account
            target = urllib.parse.unquote(resp.headers[TARGET])
            etag = resp.headers.get(TARGET_ETAG)
            utils.close_if_possible(resp)
            path = '/v1/%s/%s' % (t_account, target)
            resp = self._read(req, req.method, path, forwarded)
            if etag and resp.status_int // 100 == 2 and \
                    (resp.headers.get('ETag') or '').strip('"') != etag:
                utils.close_if_possible(resp)
                raise utils.http_error(409, 'Object Etag %r does not match '
                                       'X-Symlink-Target-Etag header %r' % (
                                           (resp.headers.get('ETag') or '').strip('"'), etag))
            resp.headers['Content-Location'] = utils.quote(path)
        self._hide(resp)
        return resp


def filter_factory(global_conf, **local_conf):
    symloop_max = int(local_conf.get('symloop_max', SYMLOOP_MAX))

    def _filter(app):
        return Symlink(app, symloop_max)
    return _filter
