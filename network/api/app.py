"""The network API WSGI app: routes of API v2.0 onto the controllers."""
from common import config
from common.wsgi import router as router_mod
from network import service
from network.api import misc
from network.api import resource
from network.api import schemas
from network.policies import HIDDEN

PREFIX = '/v2.0'


def _network_target(core):
    """Policy target addition for subnets and ports: who owns their network.

    Looking the network up as the caller answers 404 for a network it cannot see, before
    any policy decision could reveal that the network exists.
    """
    def hook(ctx, item):
        def run(sess):
            net = core.networks.get_row(sess, ctx, item.get('network_id'))
            return {'network_project_id': net.project_id}
        return core.transaction(run)
    return hook


def _admin_ops(enforcer, rule, ops):
    """Wrap every op with an authorization check (agents are an admin-only resource)."""
    def wrap(func):
        def checked(ctx, *args):
            enforcer.authorize(rule, {}, ctx)
            return func(ctx, *args)
        return checked
    return {name: wrap(func) for name, func in ops.items()}


def build(conf, core, enforcer):
    r = router_mod.Router()
    versions = misc.Versions(conf)
    r.add('/', versions, {'GET': 'index'})
    r.add(PREFIX, versions, {'GET': 'v2'})
    r.add(PREFIX + '/', versions, {'GET': 'v2'})
    ext = misc.Extensions()
    r.add(PREFIX + '/extensions', ext, {'GET': 'index'})
    r.add(PREFIX + '/extensions/{alias}', ext, {'GET': 'show'})

    def crud(member, collection, path, mgr, create_schema, update_schema, ops=None,
             hook=None):
        ops = ops or {'list': mgr.list, 'show': mgr.show, 'create': mgr.create,
                      'update': mgr.update, 'delete': mgr.delete}
        ctrl = resource.Resource(enforcer, member, collection, ops, create_schema,
                                 update_schema, conf, hook, HIDDEN.get(member, ()))
        methods = {'GET': 'index'}
        if 'create' in ops:
            methods['POST'] = 'create'
        r.add(PREFIX + '/' + path, ctrl, methods)
        r.add(PREFIX + '/' + path + '/{id}', ctrl,
              {'GET': 'show', 'PUT': 'update', 'DELETE': 'delete'})

    crud('network', 'networks', 'networks', core.networks, schemas.NETWORK_CREATE,
         schemas.NETWORK_UPDATE)
    crud('subnet', 'subnets', 'subnets', core.subnets, schemas.SUBNET_CREATE,
         schemas.SUBNET_UPDATE, hook=_network_target(core))
    crud('port', 'ports', 'ports', core.ports, schemas.PORT_CREATE, schemas.PORT_UPDATE,
         hook=_network_target(core))
    crud('router', 'routers', 'routers', core.routers, schemas.ROUTER_CREATE,
         schemas.ROUTER_UPDATE)
    crud('floatingip', 'floatingips', 'floatingips', core.floatingips, schemas.FIP_CREATE,
         schemas.FIP_UPDATE)
    crud('security_group', 'security_groups', 'security-groups', core.secgroups,
         schemas.SG_CREATE, schemas.SG_UPDATE)
    sg = core.secgroups
    crud('security_group_rule', 'security_group_rules', 'security-group-rules', None,
         schemas.RULE_CREATE, schemas.RULE_UPDATE,
         ops={'list': sg.list_rules, 'show': sg.show_rule, 'create': sg.create_rules,
              'update': sg.update_rule, 'delete': sg.delete_rule})
    ag = core.agents
    crud('agent', 'agents', 'agents', None, None, schemas.AGENT_UPDATE,
         ops=_admin_ops(enforcer, 'get_agent', {'list': ag.list, 'show': ag.show,
                                                'update': ag.update, 'delete': ag.delete}))

    actions = misc.RouterActions(core, enforcer)
    r.add(PREFIX + '/routers/{id}/add_router_interface', actions, {'PUT': 'add_interface'})
    r.add(PREFIX + '/routers/{id}/remove_router_interface', actions,
          {'PUT': 'remove_interface'})
    quotas = misc.Quotas(core, enforcer)
    r.add(PREFIX + '/quotas', quotas, {'GET': 'index'})
    r.add(PREFIX + '/quotas/tenant', quotas, {'GET': 'tenant'})
    r.add(PREFIX + '/quotas/{project_id}', quotas,
          {'GET': 'show', 'PUT': 'update', 'DELETE': 'delete'})
    r.add(PREFIX + '/quotas/{project_id}/default', quotas, {'GET': 'defaults'})
    r.add(PREFIX + '/quotas/{project_id}/details', quotas, {'GET': 'details'})
    return r.finalize()


class StripJsonSuffix:
    """Older clients (python-neutronclient) ask for ``/v2.0/networks.json``."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get('PATH_INFO', '')
        if path.endswith('.json'):
            environ['PATH_INFO'] = path[:-len('.json')]
        return self.app(environ, start_response)


def app_factory(global_conf, **local_conf):
    conf = config.from_paste(global_conf)
    core = service.get_core(conf)
    return StripJsonSuffix(build(conf, core, service.get_enforcer(conf)))


class VersionDiscovery:
    """Answers ``GET /`` (version discovery) before auth, as clients call it without a token."""

    def __init__(self, app, conf):
        self.app = app
        self.versions = router_mod.Router()
        self.versions.add('/', misc.Versions(conf), {'GET': 'index'})
        self.versions.finalize()

    def __call__(self, environ, start_response):
        if environ.get('PATH_INFO', '') in ('', '/'):
            return self.versions(environ, start_response)
        return self.app(environ, start_response)


def versions_filter_factory(global_conf, **local_conf):
    conf = config.from_paste(global_conf)
    return lambda app: VersionDiscovery(app, conf)
