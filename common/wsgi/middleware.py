"""Request id / access log and context middleware used in every paste pipeline."""
import logging
import time
import uuid

import webob
import webob.dec

from common import context as context_mod

LOG = logging.getLogger('access')

REQUEST_ID_ENV = 'openstack.request_id'
CONTEXT_ENV = 'openstack.context'


class RequestId:
    """Give each request an id (X-OpenStack-Request-Id) and log one line when it ends."""

    def __init__(self, app, header='X-OpenStack-Request-Id'):
        self.app = app
        self.header = header

    @classmethod
    def factory(cls, global_conf, **local_conf):
        def _filter(app):
            return cls(app, header=local_conf.get('header', 'X-OpenStack-Request-Id'))
        return _filter

    @staticmethod
    def new_id():
        """The id of a new request (an API with its own format overrides this)."""
        return 'req-' + str(uuid.uuid4())

    def __call__(self, environ, start_response):
        req_id = self.new_id()
        environ[REQUEST_ID_ENV] = req_id
        started = time.monotonic()
        status_holder = {}

        def _start(status, headers, exc_info=None):
            status_holder['status'] = status.split(' ', 1)[0]
            # The app may have set its own id (e.g. a backend's); this request has one.
            ours = {self.header.lower(), 'x-openstack-request-id'}
            headers = [(k, v) for k, v in headers if k.lower() not in ours]
            headers.append((self.header, req_id))
            if self.header.lower() != 'x-openstack-request-id':
                headers.append(('X-OpenStack-Request-Id', req_id))
            return start_response(status, headers, exc_info)

        try:
            result = self.app(environ, _start)
        except Exception:
            self._log(environ, req_id, '500', started)
            raise
        return _LoggedIterable(result, lambda: self._log(
            environ, req_id, status_holder.get('status', '-'), started))

    @staticmethod
    def _log(environ, req_id, status, started):
        ctx = environ.get(CONTEXT_ENV)
        LOG.info('%s user=%s project=%s "%s %s%s" status=%s time=%.3f', req_id,
                 getattr(ctx, 'user_id', None) or '-', getattr(ctx, 'project_id', None) or '-',
                 environ.get('REQUEST_METHOD'), environ.get('SCRIPT_NAME', ''),
                 environ.get('PATH_INFO', ''), status, time.monotonic() - started)


class _LoggedIterable:
    """Wraps a streamed body so the access line is written when streaming ends."""

    def __init__(self, iterable, on_close):
        self._iterable = iterable
        self._on_close = on_close

    def __iter__(self):
        return iter(self._iterable)

    def close(self):
        try:
            if hasattr(self._iterable, 'close'):
                self._iterable.close()
        finally:
            self._on_close()


class ContextMiddleware:
    """Build a RequestContext from the headers the auth middleware set."""

    def __init__(self, app):
        self.app = app

    @classmethod
    def factory(cls, global_conf, **local_conf):
        return cls

    @webob.dec.wsgify
    def __call__(self, req):
        req.environ[CONTEXT_ENV] = context_from_headers(req)
        return req.get_response(self.app)


def _split(value):
    return [v.strip() for v in (value or '').split(',') if v.strip()]


def context_from_headers(req):
    """A RequestContext from the X-* headers set by the auth middleware."""
    headers = req.headers
    confirmed = headers.get('X-Identity-Status') == 'Confirmed'
    if not confirmed:
        return context_mod.RequestContext(request_id=req.environ.get(REQUEST_ID_ENV))
    return context_mod.RequestContext(
        user_id=headers.get('X-User-Id'),
        user_name=headers.get('X-User-Name'),
        user_domain_id=headers.get('X-User-Domain-Id'),
        project_id=headers.get('X-Project-Id'),
        project_name=headers.get('X-Project-Name'),
        project_domain_id=headers.get('X-Project-Domain-Id'),
        domain_id=headers.get('X-Domain-Id'),
        domain_name=headers.get('X-Domain-Name'),
        roles=_split(headers.get('X-Roles')),
        system_scope=headers.get('OpenStack-System-Scope'),
        request_id=req.environ.get(REQUEST_ID_ENV),
        auth_token=headers.get('X-Auth-Token'),
        audit_ids=_split(headers.get('X-Audit-Ids')),
        service_user_id=headers.get('X-Service-User-Id'),
        service_roles=_split(headers.get('X-Service-Roles')),
        application_credential_id=headers.get('X-Application-Credential-Id'))


def get_context(req):
    """The RequestContext of a request (an anonymous one if none was built)."""
    ctx = req.environ.get(CONTEXT_ENV)
    if ctx is None:
        ctx = context_mod.RequestContext(request_id=req.environ.get(REQUEST_ID_ENV))
        req.environ[CONTEXT_ENV] = ctx
    return ctx
