"""The proxy WSGI app: routes /v1/<account>[/<container>[/<object>]] to controllers,
answers /info and /healthcheck, applies CORS and keeps internal headers internal."""
import json
import logging
import os

import webob

from common import config
from objectstore.proxy import backend
from objectstore.proxy import constraints
from objectstore.proxy import cors
from objectstore.proxy import info
from objectstore.proxy import utils
from objectstore.proxy.controllers import account as account_ctrl
from objectstore.proxy.controllers import base
from objectstore.proxy.controllers import container as container_ctrl
from objectstore.proxy.controllers import obj as obj_ctrl
from objectstore.ring import Ring
from objectstore.ring import utils as ring_utils

LOG = logging.getLogger(__name__)

VERSIONS = ('v1', 'v1.0')
SYSMETA_PREFIXES = ('x-account-sysmeta-', 'x-container-sysmeta-', 'x-object-sysmeta-')
METHODS = ('GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS')


class ProxyApp:
    """The innermost app of the proxy pipeline."""

    def __init__(self, conf, rings=None):
        group = conf.proxy
        cluster = conf.objectstore
        ring_utils.set_hash_path_secret(cluster.hash_path_prefix, cluster.hash_path_suffix)
        if rings is None:
            rings = {kind: Ring(os.path.join(cluster.ring_dir, '%s.ring.json.gz' % kind))
                     for kind in ('account', 'container', 'object')}
        self.account_ring = rings['account']
        self.container_ring = rings['container']
        self.object_ring = rings['object']
        self.conn_timeout = group.conn_timeout
        self.node_timeout = group.node_timeout
        self.chunk_size = group.chunk_size
        self.handoff_count = group.handoff_count
        self.account_autocreate = group.account_autocreate
        self.reseller_prefix = group.reseller_prefix
        self.cors_allow_origin = list(group.cors_allow_origin)
        self.storage_policy = group.storage_policy
        self.limits = constraints.Limits(group)

    @utils.handle_errors
    def __call__(self, req):
        backend.strip_internal(req.headers)
        path = utils.path_of(req)
        if path in ('/info', '/info/'):
            return self.info(req)
        if path == '/healthcheck':
            return webob.Response(status=200, body=b'OK', content_type='text/plain')
        version, account, container, obj = utils.split_path(path)
        if version not in VERSIONS:
            raise utils.http_error(404, 'Unknown API version %r; use /v1' % version)
        self.limits.check_names(account, container, obj)
        if obj is not None:
            controller = obj_ctrl.ObjectController(self, account, container, obj)
        elif container is not None:
            controller = container_ctrl.ContainerController(self, account, container)
        else:
            controller = account_ctrl.AccountController(self, account)
        if req.method == 'OPTIONS':
            cinfo = (info.get_container_info(req.environ, self, account, container)
                     if container else None)
            return cors.preflight(req, cinfo, self.cors_allow_origin)
        handler = getattr(controller, req.method, None) if req.method in METHODS else None
        if handler is None:
            return utils.error_response(405, 'Method %s is not allowed here' % req.method,
                                        {'Allow': ', '.join(
                                            m for m in METHODS if hasattr(controller, m))})
        resp = handler(req)
        self._finish(req, resp, account, container)
        return resp

    def _finish(self, req, resp, account, container):
        backend.strip_internal(resp.headers)
        # The storage server's own request id: the client gets the proxy's (RequestId).
        if 'X-OpenStack-Request-Id' in resp.headers:
            del resp.headers['X-OpenStack-Request-Id']
        env = req.environ
        if not (env.get(utils.OWNER) or env.get(utils.AUTHORIZE_OVERRIDE)):
            for name in base.PRIVATE_HEADERS:
                if name in resp.headers:
                    del resp.headers[name]
        if not (env.get(utils.SOURCE) or env.get(utils.KEEP_SYSMETA)):
            # system metadata is for the proxy's own layers (their sub-requests, or a
            # layer that hides it itself), never for the client
            for name in [n for n in resp.headers if n.lower().startswith(SYSMETA_PREFIXES)]:
                del resp.headers[name]
        if 'X-Trans-Id' not in resp.headers and env.get('openstack.request_id'):
            resp.headers['X-Trans-Id'] = env['openstack.request_id']
        if container and req.headers.get('Origin') and not env.get(utils.SOURCE):
            try:
                cinfo = info.get_container_info(env, self, account, container)
            except Exception:  # CORS decoration must never break the response itself
                LOG.exception('CORS lookup failed')
                return
            cors.decorate(req, resp, cinfo, self.cors_allow_origin)

    def authorize(self, req, acl=None):
        """None when the request may proceed; else the 401/403 response."""
        env = req.environ
        if env.get(utils.AUTHORIZE_OVERRIDE):
            return None
        callback = env.get(utils.AUTHORIZE)
        if callback is None:
            return utils.error_response(401, 'Unauthorized: no authorization in the pipeline')
        return callback(req, acl)

    def create_account(self, req, account):
        """PUT the account on its servers (autocreate); None when done, else a response."""
        ctrl = account_ctrl.AccountController(self, account)
        part, nodes = ctrl.nodes()
        headers = ctrl.base_headers(req)
        headers.update(self.project_domain_header(req, account))
        resp = ctrl.make_requests(req, self.account_ring, part, 'PUT', '/%s' % account,
                                  [dict(headers) for _ in nodes])
        info.invalidate(req.environ, account)
        if resp.status_int // 100 != 2:
            return utils.error_response(503, 'Could not create account %s (%s)'
                                        % (account, resp.status_int))
        return None

    def project_domain_header(self, req, account):
        """The sysmeta recording the domain of ``account``'s project, when the caller's own
        project owns it (the auth layers set these headers; clients cannot); else {}."""
        h = req.headers
        project, domain = h.get('X-Project-Id'), h.get('X-Project-Domain-Id')
        if h.get('X-Identity-Status') == 'Confirmed' and project and domain and \
                account == self.reseller_prefix + project:
            return {info.PROJECT_DOMAIN_SYSMETA: domain}
        return {}

    def info(self, req):
        if req.method not in ('GET', 'HEAD'):
            return utils.error_response(405, '/info answers GET and HEAD',
                                        {'Allow': 'GET, HEAD'})
        swift = self.limits.as_info()
        swift['policies'] = [{'name': self.storage_policy, 'aliases': self.storage_policy,
                              'default': True}]
        body = json.dumps({'swift': swift,
                           'cors': {'allow_origin': self.cors_allow_origin}})
        return webob.Response(status=200, body=body.encode(), content_type='application/json',
                              charset='UTF-8')


def app_factory(global_conf, **local_conf):
    return ProxyApp(config.from_paste(global_conf))
