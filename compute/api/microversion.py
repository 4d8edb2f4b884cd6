"""Compute API microversions on common.wsgi.microversion: 2.1 up to 2.100 (the highest
openstacksdk 4.x, the `openstack` client's compute layer, asks for), the legacy
``X-OpenStack-Nova-API-Version`` header too; errors carry the version headers as well."""
import webob.dec

from common import exceptions
from common.wsgi import microversion
from common.wsgi import middleware

# Nova names the request id in this header too (tempest reads it).
COMPUTE_REQUEST_ID = 'X-Compute-Request-Id'
SPEC = microversion.Spec('compute', '2.1', '2.100',
                         legacy_header='X-OpenStack-Nova-API-Version')


class MicroversionFilter(microversion.Middleware):
    """common's middleware, plus the version headers on error answers (Nova sends them)
    and X-Compute-Request-Id."""

    def __init__(self, app):
        super().__init__(app, SPEC)

    @classmethod
    def factory(cls, global_conf, **local_conf):
        return cls

    @webob.dec.wsgify
    def __call__(self, req):
        request_id = {COMPUTE_REQUEST_ID: req.environ.get(middleware.REQUEST_ID_ENV, '')}
        try:
            resp = super().__call__(req)
        except exceptions.APIError as exc:
            version = req.environ.get(microversion.ENVIRON_KEY, SPEC.min)
            headers = exc.extra.setdefault('headers', {})
            headers.update(dict(SPEC.response_headers(version)), **request_id)
            raise
        resp.headers.update(request_id)
        return resp


def of(req):
    """The request's version (the minimum outside the pipeline's filter)."""
    return req.environ.get(microversion.ENVIRON_KEY, SPEC.min)


def at_least(req, version):
    """True when the request's version is ``version`` ('2.47') or later."""
    major, minor = version.split('.')
    return of(req) >= (int(major), int(minor))

