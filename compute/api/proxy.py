"""What the proxy APIs share (images, os-security-groups, os-floating-ips, os-networks,
os-volumes, os-snapshots): Nova keeps them up to microversion 2.35 as thin layers over the
image, network and block storage services, called with the caller's own token so those
services' policies decide; from 2.36 they are gone (404). The servers' security group
actions and list stay; addFloatingIp and removeFloatingIp go at 2.44."""
from common import exceptions
from compute import clients
from compute.api import base

LAST_VERSION = (2, 35)


class ProxyController(base.Controller):
    """Base of a proxy controller: the version gate and backend calls whose errors become
    the answers Nova gives for them."""

    SERVICE = None       # 'image', 'network' or 'volume'

    def gate(self, req, last=LAST_VERSION):
        """404 after microversion ``last`` (2.35: Nova's proxy API deprecation)."""
        if base.version(req) > last:
            raise exceptions.NotFound('The resource could not be found.')
        return base.context(req)

    def backend(self, req):
        return self.engine.proxy_api(base.context(req), self.SERVICE)

    def call(self, req, method, path, body=None, params=None, headers=None, errors=None):
        """The backend's JSON answer. An error status maps through ``errors`` ({status:
        (exception class, message or None)}); otherwise 400/401/403/404/409/503 keep their
        status and anything else is a 502 naming the service."""
        try:
            return self.backend(req).request(method, path, body=body, params=params,
                                             headers=headers)
        except clients.BackendError as exc:
            raise self.mapped(exc, errors) from None

    def mapped(self, exc, errors=None):
        cls, message = (errors or {}).get(exc.status, (None, None))
        if cls is not None:
            return cls(message or exc.message)
        if exc.status in (400, 401, 403, 404, 409, 503):
            return exceptions.for_status(exc.status, exc.message)
        err = exceptions.for_status(502, 'The %s service failed: %s'
                                    % (self.SERVICE, exc.message))
        err.title = 'Bad Gateway'
        return err
