"""The network API WSGI app: routes of API v2.0 onto the controllers."""
from common import config
from common.wsgi import router as router_mod
from common.wsgi import versions
from network.api import agentscheduler
from network.api import misc
from network.api import portforwardings
from network.api import qos
from network.api import resource
from network.api import schemas
from network.api import tags
from network.policies import HIDDEN
from network.state import NetworkState

PREFIX = '/v2.0'
# collections whose resources carry tags (standard-attr-tag)
TAGGABLE = ('networks', 'subnets', 'ports', 'routers', 'floatingips', 'security-groups',
            'subnetpools', 'qos/policies', 'trunks')


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


def _admin_ops(enforcer, member, list_, show, update, delete, create=None):
    """Operations of an admin-only resource (agents, service profiles), each behind its
    own rule. A list by someone ``get_<member>`` refuses is empty rather than 403, as
    Neutron answers it."""
    def checked(rule, func):
        def run(ctx, *args):
            enforcer.authorize(rule, {}, ctx)
            return func(ctx, *args)
        return run

    def listed(ctx, *args, **kwargs):
        if not enforcer.enforce('get_%s' % member, {}, ctx):
            return []
        return list_(ctx, *args, **kwargs)
    ops = {'list': listed, 'show': checked('get_%s' % member, show),
           'update': checked('update_%s' % member, update),
           'delete': checked('delete_%s' % member, delete)}
    if create is not None:
        ops['create'] = create
    return ops


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
        if path in TAGGABLE:
            tags_ctrl = tags.Tags(ctrl, path, core.tags)
            r.add(PREFIX + '/%s/{id}/tags' % path, tags_ctrl,
                  {'GET': 'index', 'PUT': 'replace', 'DELETE': 'delete_all'})
            r.add(PREFIX + '/%s/{id}/tags/{tag}' % path, tags_ctrl,
                  {'GET': 'show', 'PUT': 'add', 'DELETE': 'delete'})

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
    crud('subnetpool', 'subnetpools', 'subnetpools', core.subnetpools,
         schemas.SUBNETPOOL_CREATE, schemas.SUBNETPOOL_UPDATE)
    crud('address_scope', 'address_scopes', 'address-scopes', core.addressscopes,
         schemas.ADDRESS_SCOPE_CREATE, schemas.ADDRESS_SCOPE_UPDATE)
    crud('policy', 'policies', 'qos/policies', core.qos, schemas.QOS_POLICY_CREATE,
         schemas.QOS_POLICY_UPDATE)
    for rule_type, create_schema, update_schema in (
            ('bandwidth_limit', schemas.QOS_BW_CREATE, schemas.QOS_BW_UPDATE),
            ('dscp_marking', schemas.QOS_DSCP, schemas.QOS_DSCP)):
        rules = qos.Rules(core.qos, enforcer, rule_type, create_schema, update_schema)
        path = PREFIX + '/qos/policies/{policy_id}/%s_rules' % rule_type
        r.add(path, rules, {'GET': 'index', 'POST': 'create'})
        r.add(path + '/{id}', rules, {'GET': 'show', 'PUT': 'update', 'DELETE': 'delete'})
    rule_types = qos.RuleTypes()
    r.add(PREFIX + '/qos/rule-types', rule_types, {'GET': 'index'})
    r.add(PREFIX + '/qos/rule-types/{rule_type}', rule_types, {'GET': 'show'})
    crud('rbac_policy', 'rbac_policies', 'rbac-policies', core.rbac, schemas.RBAC_CREATE,
         schemas.RBAC_UPDATE)
    crud('agent', 'agents', 'agents', None, None, schemas.AGENT_UPDATE,
         ops=_admin_ops(enforcer, 'agent', core.agents.list, core.agents.show,
                        core.agents.update, core.agents.delete))
    crud('flavor', 'flavors', 'flavors', core.flavors, schemas.FLAVOR_CREATE,
         schemas.FLAVOR_UPDATE)
    fl = core.flavors
    crud('service_profile', 'service_profiles', 'service_profiles', None,
         schemas.PROFILE_CREATE, schemas.PROFILE_UPDATE,
         ops=_admin_ops(enforcer, 'service_profile', fl.list_profiles, fl.show_profile,
                        fl.update_profile, fl.delete_profile, fl.create_profiles))
    crud('trunk', 'trunks', 'trunks', core.trunks, schemas.TRUNK_CREATE, schemas.TRUNK_UPDATE)
    crud('address_group', 'address_groups', 'address-groups', core.addressgroups,
         schemas.ADDRESS_GROUP_CREATE, schemas.ADDRESS_GROUP_UPDATE)
    ag_actions = misc.AddressGroupActions(core, enforcer)
    r.add(PREFIX + '/address-groups/{id}/add_addresses', ag_actions,
          {'PUT': 'add_addresses'})
    r.add(PREFIX + '/address-groups/{id}/remove_addresses', ag_actions,
          {'PUT': 'remove_addresses'})
    trunk_actions = misc.TrunkActions(core, enforcer)
    r.add(PREFIX + '/trunks/{id}/add_subports', trunk_actions, {'PUT': 'add_subports'})
    r.add(PREFIX + '/trunks/{id}/remove_subports', trunk_actions, {'PUT': 'remove_subports'})
    r.add(PREFIX + '/trunks/{id}/get_subports', trunk_actions, {'GET': 'get_subports'})
    agentscheduler.add_routes(r, PREFIX, core, enforcer)
    r.add(PREFIX + '/availability_zones', misc.AvailabilityZones(core), {'GET': 'index'})
    topology = misc.AutoAllocatedTopology(core, enforcer)
    r.add(PREFIX + '/auto-allocated-topology/{project_id}', topology,
          {'GET': 'show', 'DELETE': 'delete'})
    bindings = misc.FlavorProfiles(core, enforcer)
    r.add(PREFIX + '/flavors/{flavor_id}/service_profiles', bindings, {'POST': 'create'})
    r.add(PREFIX + '/flavors/{flavor_id}/service_profiles/{id}', bindings,
          {'DELETE': 'delete'})

    pfs = portforwardings.PortForwardings(core.portforwardings, enforcer, conf,
                                          schemas.PF_CREATE, schemas.PF_UPDATE)
    path = PREFIX + '/floatingips/{floatingip_id}/port_forwardings'
    r.add(path, pfs, {'GET': 'index', 'POST': 'create'})
    r.add(path + '/{id}', pfs, {'GET': 'show', 'PUT': 'update', 'DELETE': 'delete'})
    mt = core.metering
    crud('metering_label', 'metering_labels', 'metering/metering-labels', None,
         schemas.METERING_LABEL_CREATE, schemas.METERING_LABEL_UPDATE,
         ops=_admin_ops(enforcer, 'metering_label', mt.list_labels, mt.show_label,
                        mt.update_label, mt.delete_label, mt.create_labels))
    crud('metering_label_rule', 'metering_label_rules', 'metering/metering-label-rules', None,
         schemas.METERING_RULE_CREATE, schemas.METERING_RULE_UPDATE,
         ops=_admin_ops(enforcer, 'metering_label_rule', mt.list_rules, mt.show_rule,
                        mt.update_rule, mt.delete_rule, mt.create_rules))
    actions = misc.RouterActions(core, enforcer)
    r.add(PREFIX + '/routers/{id}/add_router_interface', actions, {'PUT': 'add_interface'})
    r.add(PREFIX + '/routers/{id}/remove_router_interface', actions,
          {'PUT': 'remove_interface'})
    r.add(PREFIX + '/routers/{id}/add_extraroutes', actions, {'PUT': 'add_extraroutes'})
    r.add(PREFIX + '/routers/{id}/remove_extraroutes', actions, {'PUT': 'remove_extraroutes'})
    availability = misc.IPAvailability(core, enforcer)
    r.add(PREFIX + '/network-ip-availabilities', availability, {'GET': 'index'})
    r.add(PREFIX + '/network-ip-availabilities/{id}', availability, {'GET': 'show'})
    r.add(PREFIX + '/service-providers', misc.ServiceProviders(), {'GET': 'index'})
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
    state = NetworkState.get(config.from_paste(global_conf))
    return StripJsonSuffix(build(state.conf, state.core, state.enforcer))


def _versions_app(conf):
    r = router_mod.Router()
    r.add('/', misc.Versions(conf), {'GET': 'index'})
    return r.finalize()


# ``GET /`` (version discovery) answers before auth: clients call it without a token.
versions_filter_factory = versions.filter_factory(_versions_app, paths=('/',))
