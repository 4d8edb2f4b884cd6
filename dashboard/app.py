"""The dashboard WSGI app: sessions, access, CSRF, error pages around the page routes.

Every path needs a logged-in session except the login page and static files; paths under
/identity/ and /admin/ need the admin role in the current token. Every request that is not
GET or HEAD must carry the session's CSRF token.
"""
import logging
import os
import re
import urllib.parse

import jinja2
import webob
import webob.dec
import webob.static

from common import client
from common import config
from common import exceptions
from common.wsgi import middleware
from common.wsgi import router as router_mod
from dashboard import cloud as cloud_mod
from dashboard import session as session_mod

LOG = logging.getLogger(__name__)

HERE = os.path.dirname(os.path.abspath(__file__))
PUBLIC_PREFIXES = ('/auth/login', '/static/')
ADMIN_PREFIXES = ('/identity/', '/admin/')
SAFE_METHODS = ('GET', 'HEAD')

SECURITY_HEADERS = {
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'same-origin',
    'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; "
                               "object-src 'none'; frame-ancestors 'none'; "
                               "base-uri 'none'; form-action 'self'",
}


def is_admin(session):
    return 'admin' in (session.get('roles') or [])


def safe_next(value, default='/project/overview'):
    """A local path to go to after a form (never another site)."""
    if not value or not value.startswith('/') or value.startswith('//') or '\\' in value:
        return default
    parsed = urllib.parse.urlsplit(value)
    if parsed.scheme or parsed.netloc:
        return default
    return value


class Page:
    """Helpers every page controller has."""

    def __init__(self, app):
        self.app = app
        self.conf = app.conf

    @staticmethod
    def session(req):
        return req.environ['dashboard.session']

    def cloud(self, req):
        return cloud_mod.Cloud(self.session(req), timeout=self.conf.dashboard.api_timeout)

    def render(self, req, template, status=200, **context):
        return self.app.render(req, template, status=status, **context)

    @staticmethod
    def redirect(location, status=303):
        resp = webob.Response(status=status)
        resp.location = location
        return resp

    def flash(self, req, level, message, request_id=None):
        self.session(req).flash(level, message, request_id)

    def act(self, req, back, func, success=None):
        """Run a form's action; flash its result (or the service's error with its request
        id) and go back to ``back``."""
        try:
            result = func()
        except client.ClientError as exc:
            if exc.status == 401:
                raise
            self.flash(req, 'error', exc.message, exc.request_id)
            return self.redirect(back)
        except exceptions.BadRequest as exc:
            self.flash(req, 'error', exc.message)
            return self.redirect(back)
        if success:
            self.flash(req, 'success', success(result) if callable(success) else success)
        return self.redirect(back)

    def table(self, req, cloud, service, path, key=None, marker_keys=('id',), **params):
        """One page of a list through the API's own paging: (rows, {'marker': this page's
        marker, 'next_marker': the next page's, None on the last page})."""
        limit, marker = self.paging(req)
        body = cloud.get(service, path, limit=limit, marker=marker, **params)
        rows = body[key] if key else body
        following = None
        if len(rows) == limit:
            following = next((rows[-1][k] for k in marker_keys if rows[-1].get(k)), None)
        return rows, {'marker': marker, 'next_marker': following}

    def paging(self, req):
        """(limit, marker) of a table page from the query string."""
        marker = req.GET.get('marker') or None
        if marker is not None and (len(marker) > 1024 or '\n' in marker):
            raise exceptions.BadRequest('marker is not valid')
        return self.conf.dashboard.page_size, marker


ID_PATTERN = re.compile(r'^[0-9A-Za-z_.:-]{1,255}$')


def path_id(value):
    """An id taken from a dashboard URL, fit to be put in a service's URL (ids are
    letters, digits and - _ . :); anything else is a 404."""
    if not ID_PATTERN.match(value or '') or value in ('.', '..'):
        raise exceptions.NotFound('No such resource.')
    return value


def quote(value):
    """A name (a key pair's, an object's) quoted as one segment of a service URL."""
    return urllib.parse.quote(value, safe='')


def form_text(req, name, required=False, max_len=255, label=None, errors=None):
    """A trimmed text field of a form; a missing required one is recorded in ``errors``
    (or raised as a 400 when no dict is given)."""
    value = req.POST.get(name, '')
    value = value.strip() if isinstance(value, str) else ''
    message = None
    if required and not value:
        message = '%s is required.' % (label or name)
    elif len(value) > max_len:
        message = '%s is longer than %d characters.' % (label or name, max_len)
    elif any(ord(c) < 32 and c not in '\t\r\n' for c in value):
        message = '%s contains control characters.' % (label or name)
    if message:
        if errors is None:
            raise exceptions.BadRequest(message)
        errors[name] = message
    return value


def form_int(req, name, label=None, minimum=None, maximum=None, required=True, errors=None):
    raw = req.POST.get(name, '').strip()
    message = None
    value = None
    if not raw:
        if required:
            message = '%s is required.' % (label or name)
    else:
        try:
            value = int(raw)
        except ValueError:
            message = '%s must be a whole number.' % (label or name)
        else:
            if minimum is not None and value < minimum:
                message = '%s must be at least %d.' % (label or name, minimum)
            elif maximum is not None and value > maximum:
                message = '%s must be at most %d.' % (label or name, maximum)
    if message:
        if errors is None:
            raise exceptions.BadRequest(message)
        errors[name] = message
    return value


class Dashboard:
    def __init__(self, conf, store=None):
        self.conf = conf
        dconf = conf.dashboard
        self.sessions = session_mod.SessionManager(
            store or session_mod.make_store(dconf.session_store, dconf.session_idle_timeout),
            session_mod.CookieSigner(session_mod.load_secret_key(conf)),
            secure=dconf.cookie_secure)
        self.login = cloud_mod.Login(dconf.auth_url, dconf.region_name, dconf.interface,
                                     dconf.api_timeout)
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(os.path.join(HERE, 'templates')),
            autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
            lstrip_blocks=True)
        self.templates.filters['filesize'] = filesize
        self.static = webob.static.DirectoryApp(os.path.join(HERE, 'static'))
        self.router = router_mod.Router()
        from dashboard.views import ROUTES
        for module in ROUTES:
            module.add_routes(self.router.add, self)
        self.router.finalize()

    # rendering ---------------------------------------------------------------------------
    def render(self, req, template, status=200, **context):
        session = req.environ.get('dashboard.session')
        context.setdefault('session', session)
        context.setdefault('is_admin', bool(session) and is_admin(session))
        context.setdefault('flashes', session.pop_flash() if session is not None else [])
        context.setdefault('csrf_token', session.csrf_token if session is not None else '')
        context.setdefault('path', req.path)
        context.setdefault('request_id', req.environ.get(middleware.REQUEST_ID_ENV))
        body = self.templates.get_template(template).render(**context)
        return webob.Response(body=body.encode('utf-8'), status=status,
                              content_type='text/html', charset='UTF-8')

    def error_page(self, req, status, message, request_id=None):
        title = webob.exc.status_map.get(status, webob.exc.HTTPInternalServerError).title
        return self.render(req, 'error.html', status=status, status_code=status,
                           title=title, message=message, service_request_id=request_id)

    # the request ------------------------------------------------------------------------
    @webob.dec.wsgify
    def __call__(self, req):
        if req.path.startswith('/static/'):
            req.path_info_pop()
            resp = req.get_response(self.static)
            resp.headers['Cache-Control'] = 'max-age=3600'
            return resp
        session = self.sessions.load(req)
        req.environ['dashboard.session'] = session
        resp = self._guarded(req, session)
        if 'dashboard.logout' in req.environ:
            new = req.environ.get('dashboard.new_session')
            if new is not None:          # a login: the old id is dropped, the new one set
                self.sessions.store.delete(session.sid)
                self.sessions.save(new, resp)
            else:
                self.sessions.destroy(session, resp)
        else:
            self.sessions.save(req.environ['dashboard.session'], resp)
        for key, value in SECURITY_HEADERS.items():
            resp.headers.setdefault(key, value)
        resp.headers.setdefault('Cache-Control', 'no-store')
        return resp

    def _guarded(self, req, session):
        logged_in = bool(session.get('token'))
        if logged_in and cloud_mod.expired(session):
            self.end_session(req, session, revoke=False)
            return self._to_login(req, 'Your session has expired; please log in again.')
        if not req.path.startswith(PUBLIC_PREFIXES):
            if not logged_in:
                return self._to_login(req)
            if req.path.startswith(ADMIN_PREFIXES) and not is_admin(session):
                return self.error_page(req, 403, 'This page is for administrators only.')
        if req.method not in SAFE_METHODS and not self.sessions.check_csrf(session, req):
            return self.error_page(req, 403, 'The form\'s CSRF token is missing or wrong; '
                                             'reload the page and try again.')
        try:
            return self.router._dispatch(req)
        except client.ClientError as exc:
            if exc.status == 401 and logged_in:
                self.end_session(req, session, revoke=False)
                return self._to_login(req, 'Your session is no longer valid; please log in '
                                           'again.')
            status = exc.status if 400 <= exc.status < 600 else 502
            return self.error_page(req, status, exc.message, exc.request_id)
        except exceptions.APIError as exc:
            return self.error_page(req, exc.code, exc.message)
        except Exception:
            LOG.exception('request %s %s failed', req.method, req.path)
            return self.error_page(req, 500, 'The dashboard failed to answer this request; '
                                             'the request id below is in its log.')

    def _to_login(self, req, message=None):
        if req.is_xhr or 'application/json' in (req.accept.header_value or ''):
            return webob.Response(status=401, json_body={'error': message or
                                                         'not logged in'})
        location = '/auth/login'
        if req.method == 'GET' and req.path not in ('/', '/auth/logout'):
            location += '?' + urllib.parse.urlencode({'next': req.path_qs})
        if message:
            location += ('&' if '?' in location else '?') + urllib.parse.urlencode(
                {'expired': '1'})
        resp = webob.Response(status=303)
        resp.location = location
        return resp

    def end_session(self, req, session, revoke=True):
        """Forget the session (revoking its tokens first when asked)."""
        if revoke:
            for subject in (session.get('token'), session.get('unscoped_token')):
                if subject:
                    self.login.revoke(subject, subject)
        req.environ['dashboard.logout'] = True


def filesize(value):
    try:
        value = float(value or 0)
    except (TypeError, ValueError):
        return '-'
    for unit in ('B', 'KiB', 'MiB', 'GiB', 'TiB'):
        if value < 1024 or unit == 'TiB':
            return ('%d %s' % (value, unit)) if unit == 'B' else ('%.1f %s' % (value, unit))
        value /= 1024


def app_factory(global_conf, **local_conf):
    return Dashboard(config.from_paste(global_conf))
