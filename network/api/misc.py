"""Small controllers: version discovery, extensions, quotas, router actions (interfaces,
extra routes), network IP availability and service providers."""
import re

from common import validation
from common import validators
from common.wsgi import listing
from common.wsgi import endpoint
from common.wsgi import middleware
from common.wsgi import response as wsgi_response
from network import exceptions as nexc
from network.api import schemas
from network.plugin import flavors

EXTENSIONS = [
    ('agent', 'agent', 'The agent management extension.'),
    ('allowed-address-pairs', 'Allowed Address Pairs', 'Provides allowed address pairs'),
    ('binding', 'Port Binding', 'Expose port bindings of a virtual port to external '
                                'application'),
    ('external-net', 'Neutron external network', 'Adds external network attribute to '
                                                  'network resource.'),
    ('extraroute', 'Neutron Extra Route', 'Extra routes configuration for L3 router'),
    ('filter-validation', 'Filter parameters validation', 'Unknown filters are rejected.'),
    ('net-mtu', 'Network MTU', 'Provides MTU attribute for a network resource.'),
    ('port-security', 'Port Security', 'Provides port security'),
    ('project-id', 'project_id field enabled', 'Extension that indicates that project_id '
                                               'field is enabled.'),
    ('provider', 'Provider Network', 'Expose mapping of virtual networks to physical '
                                     'networks'),
    ('quotas', 'Quota management support', 'Expose functions for quotas management per '
                                           'project'),
    ('quota_details', 'Quota details management support', 'Quota usage per resource.'),
    ('quota-check-limit', 'Quota engine limit check', 'A quota update may ask that the new '
                                                      'limits be checked against usage.'),
    ('router', 'Neutron L3 Router', 'Router abstraction for basic L3 forwarding between L2 '
                                    'Neutron networks and access to external networks via a '
                                    'NAT gateway.'),
    ('ext-gw-mode', 'Neutron L3 Configurable external gateway mode',
     'Extension of the router abstraction for specifying whether SNAT should occur on the '
     'external gateway'),
    ('security-group', 'security-group', 'The security groups extension.'),
    ('standard-attr-description', 'standard-attr-description', 'Extension to add '
                                                              'descriptions to standard '
                                                              'attributes'),
    ('standard-attr-revisions', 'Resource revision numbers', 'This extension will display '
                                                             'the revision number of neutron '
                                                             'resources.'),
    ('standard-attr-timestamp', 'Resource timestamps', 'Adds created_at and updated_at '
                                                       'fields to all Neutron resources.'),
    ('pagination', 'Pagination support', 'Extension that indicates that pagination is '
                                         'enabled.'),
    ('sorting', 'Sorting support', 'Extension that indicates that sorting is enabled.'),
    ('standard-attr-tag', 'Tag support for resources with standard attribute',
     'Tags on networks, subnets, ports, routers, floating IPs, security groups and subnet '
     'pools, and '
     'the tags, tags-any, not-tags and not-tags-any filters.'),
    ('tag', 'Tag support', 'Tags on networks (kept for older clients).'),
    ('tag-ext', 'Tag support for resources: subnet, subnetpool, port, router',
     'Tags on more resources (kept for older clients).'),
    ('rbac-policies', 'RBAC Policies', 'Allows creation and modification of policies that '
                                        'control tenant access to resources.'),
    ('address-scope', 'Address scope', 'Address scopes extension.'),
    ('subnet_allocation', 'Subnet Allocation', 'Enables allocation of subnets from a subnet '
                                               'pool'),
    ('default-subnetpools', 'Default Subnetpools', 'Provides ability to mark and use a '
                                                   'subnetpool as the default.'),
    ('qos', 'Quality of Service', 'The Quality of Service extension.'),
    ('qos-bw-limit-direction', 'Direction for QoS bandwidth limit rule',
     'Allow to configure QoS bandwidth limit rule with specific direction: ingress or '
     'egress'),
    ('extraroute-atomic', 'Atomically add/remove extra routes',
     'Edit extra routes of a router on server side by atomically adding/removing extra '
     'routes'),
    ('network-ip-availability', 'Network IP Availability',
     'Provides IP availability data for each network and subnet.'),
    ('service-type', 'Neutron Service Type Management',
     'API for retrieving service providers for Neutron advanced services'),
    ('fip-port-details', 'Floating IP Port Details Extension', 'Add port_details attribute '
                                                               'to Floating IP resource'),
    ('extra_dhcp_opt', 'Neutron Extra DHCP options',
     'Extra options (extra_dhcp_opts) for a port\'s DHCP answers: dnsmasq option names or '
     'codes with checked values.'),
    ('dns-integration', 'DNS Integration',
     'dns_name on ports becomes the DHCP host name of the port\'s addresses.'),
    ('flavors', 'Neutron Service Flavors', 'Flavor specification for Neutron advanced '
                                           'services.'),
    ('trunk', 'Trunk Extension', 'Provides support for trunk ports'),
    ('trunk-details', 'Trunk port details', 'Expose trunk port details'),
    ('address-group', 'Address group', 'Support address group'),
    ('auto-allocated-topology', 'Auto Allocated Topology Services',
     'Auto Allocated Topology Services.'),
    ('availability_zone', 'Availability Zone', 'The availability zone extension.'),
    ('network_availability_zone', 'Network Availability Zone',
     'Availability zone support for network.'),
    ('router_availability_zone', 'Router Availability Zone',
     'Availability zone support for router.'),
    ('dhcp_agent_scheduler', 'DHCP Agent Scheduler', 'Schedule networks among dhcp agents'),
    ('l3_agent_scheduler', 'L3 Agent Scheduler', 'Schedule routers among l3 agents'),
    ('security-groups-remote-address-group', 'Remote address group id field for security '
                                             'group rules',
     'Add new field of remote address group id in security group rules'),
    ('floating-ip-port-forwarding', 'Floating IP Port Forwarding',
     'Allow users to forward a protocol port of a floating IP to a port behind its '
     'router.'),
    ('floating-ip-port-forwarding-description', 'Floating IP Port Forwarding resource '
     'description', 'Add a description field to Port Forwarding rules'),
    ('expose-port-forwarding-in-fip', 'Expose port forwardings of a floating IP',
     'Floating IPs show the port forwardings that use them (port_forwardings).'),
    ('metering', 'Neutron Metering', 'Neutron Metering extension.'),
]


def _ext(alias, name, description):
    return {'alias': alias, 'name': name, 'description': description, 'links': [],
            'updated': '2024-01-01T00:00:00-00:00'}


class Versions:
    def __init__(self, conf):
        self.conf = conf

    def _base(self, req):
        return endpoint.public_url(self.conf, req)

    def index(self, req):
        return {'versions': [{'id': 'v2.0', 'status': 'CURRENT', 'links': [
            {'rel': 'self', 'href': self._base(req) + '/v2.0/'}]}]}

    def v2(self, req):
        base = self._base(req) + '/v2.0/'
        return {'resources': [{'name': name, 'collection': coll,
                               'links': [{'rel': 'self', 'href': base + coll}]}
                              for name, coll in (
                                  ('network', 'networks'), ('subnet', 'subnets'),
                                  ('port', 'ports'))]}


class Extensions:
    def index(self, req):
        return {'extensions': [_ext(*e) for e in EXTENSIONS]}

    def show(self, req, alias):
        for ext in EXTENSIONS:
            if ext[0] == alias:
                return {'extension': _ext(*ext)}
        raise nexc.NotFound('Extension with alias %s does not exist.' % alias)


class RouterActions:
    def __init__(self, core, enforcer):
        self.core = core
        self.enforcer = enforcer

    def _run(self, req, id, rule, func):
        ctx = middleware.get_context(req)
        body = wsgi_response.json_body(req)
        router = self.core.routers.show(ctx, id)
        self.enforcer.authorize(rule, router, ctx)
        return func(ctx, id, body)

    def add_interface(self, req, id):
        return self._run(req, id, 'add_router_interface', self.core.routers.add_interface)

    def remove_interface(self, req, id):
        return self._run(req, id, 'remove_router_interface',
                         self.core.routers.remove_interface)

    def add_extraroutes(self, req, id):
        return self._run(req, id, 'add_extraroutes', lambda ctx, rid, body: {
            'router': self.core.routers.change_routes(ctx, rid, body, add=True)})

    def remove_extraroutes(self, req, id):
        return self._run(req, id, 'remove_extraroutes', lambda ctx, rid, body: {
            'router': self.core.routers.change_routes(ctx, rid, body, add=False)})


def _member_action(enforcer, req, id, rule, schema, show, wanted):
    """(context, body) of a PUT action on resource ``id``: the body checked against
    ``schema``, 404 unless the caller sees the resource (``show``), 403 unless ``rule``
    allows it on the resource."""
    ctx = middleware.get_context(req)
    body = wsgi_response.json_body(req)
    if not isinstance(body, dict):
        raise nexc.BadRequest('Resource body required: %s.' % wanted)
    validation.validate(schema, body)
    enforcer.authorize(rule, show(ctx, id), ctx)
    return ctx, body


class TrunkActions:
    """``/v2.0/trunks/{id}/add_subports``, ``remove_subports`` (PUT, answering the trunk
    itself, not wrapped, as Neutron does) and ``get_subports``."""

    def __init__(self, core, enforcer):
        self.core = core
        self.enforcer = enforcer

    def _run(self, req, id, rule, schema, func):
        ctx, body = _member_action(self.enforcer, req, id, rule, schema,
                                   self.core.trunks.show, "a 'sub_ports' list")
        return func(ctx, id, body['sub_ports'])

    def add_subports(self, req, id):
        return self._run(req, id, 'add_subports', schemas.ADD_SUBPORTS,
                         self.core.trunks.add_subports)

    def remove_subports(self, req, id):
        return self._run(req, id, 'remove_subports', schemas.REMOVE_SUBPORTS,
                         self.core.trunks.remove_subports)

    def get_subports(self, req, id):
        return self.core.trunks.subports(middleware.get_context(req), id)


class AddressGroupActions:
    """``/v2.0/address-groups/{id}/add_addresses`` and ``remove_addresses`` (PUT with
    ``{"addresses": [...]}``, answering the changed group)."""

    def __init__(self, core, enforcer):
        self.core = core
        self.enforcer = enforcer

    def _run(self, req, id, rule, add):
        ctx, body = _member_action(self.enforcer, req, id, rule,
                                   schemas.ADDRESS_GROUP_ADDRESSES,
                                   self.core.addressgroups.show, "an 'addresses' list")
        return {'address_group': self.core.addressgroups.change_addresses(
            ctx, id, body['addresses'], add)}

    def add_addresses(self, req, id):
        return self._run(req, id, 'add_addresses', True)

    def remove_addresses(self, req, id):
        return self._run(req, id, 'remove_addresses', False)


_PROJECT_ID = re.compile(r'\A[A-Za-z0-9_.-]{1,64}\Z')


class AutoAllocatedTopology:
    """``/v2.0/auto-allocated-topology/{project_id}``: GET makes the project's topology
    once (``?fields=dry-run`` only checks that it could), DELETE removes it."""

    def __init__(self, core, enforcer):
        self.core = core
        self.enforcer = enforcer

    def _ctx(self, req, rule, project_id):
        ctx = middleware.get_context(req)
        if project_id == 'None' and ctx.project_id:
            # what a client sends for "my project" (Neutron takes it so too)
            project_id = ctx.project_id
        if not _PROJECT_ID.match(project_id):
            raise nexc.BadRequest('Invalid project id %s.' % validators.quote(project_id))
        target = {'project_id': project_id, 'tenant_id': project_id}
        self.enforcer.authorize(rule, target, ctx)
        return ctx, project_id

    def show(self, req, project_id):
        ctx, project_id = self._ctx(req, 'get_auto_allocated_topology', project_id)
        fields = listing.parse_fields(req)
        if fields and set(fields) != {'dry-run'}:
            raise nexc.BadRequest('Unrecognized field: only fields=dry-run is accepted.')
        return {'auto_allocated_topology': self.core.autoallocate.get(
            ctx, project_id, dry_run=bool(fields))}

    def delete(self, req, project_id):
        ctx, project_id = self._ctx(req, 'delete_auto_allocated_topology', project_id)
        self.core.autoallocate.delete(ctx, project_id)
        return None


class AvailabilityZones:
    """``GET /v2.0/availability_zones``: the zones the DHCP and L3 agents report."""

    def __init__(self, core):
        self.core = core

    def index(self, req):
        ctx = middleware.get_context(req)
        filters = {k: req.GET.getall(k) for k in req.GET.keys() if k != 'fields'}
        fields = listing.parse_fields(req)
        return {'availability_zones': [
            {k: v for k, v in z.items() if not fields or k in fields}
            for z in self.core.azs.list(ctx, filters)]}


class Quotas:
    def __init__(self, core, enforcer):
        self.core = core
        self.enforcer = enforcer

    def _check(self, req, rule, project_id):
        ctx = middleware.get_context(req)
        self.enforcer.authorize(rule, {'project_id': project_id, 'tenant_id': project_id},
                                ctx)
        return ctx

    def index(self, req):
        self._check(req, 'get_quotas', None)
        return {'quotas': self.core.quotas.list()}

    def tenant(self, req):
        ctx = middleware.get_context(req)
        return {'tenant': {'tenant_id': ctx.project_id, 'project_id': ctx.project_id}}

    def show(self, req, project_id):
        self._check(req, 'get_quota', project_id)
        return {'quota': self.core.quotas.show(project_id)}

    def defaults(self, req, project_id):
        self._check(req, 'get_quota', project_id)
        return {'quota': self.core.quotas.defaults()}

    def details(self, req, project_id):
        self._check(req, 'get_quota', project_id)
        return {'quota': self.core.quotas.details(project_id)}

    def update(self, req, project_id):
        self._check(req, 'update_quota', project_id)
        body = wsgi_response.json_body(req)
        if set(body) != {'quota'} or not isinstance(body['quota'], dict):
            raise nexc.BadRequest("Resource body required: a 'quota' object.")
        values = dict(body['quota'])
        validation.validate(schemas.QUOTA_UPDATE, values)
        force, check_limit = values.pop('force', False), values.pop('check_limit', False)
        if force and check_limit:
            raise nexc.BadRequest("'force' and 'check_limit' cannot both be true.")
        return {'quota': self.core.quotas.update(project_id, values, check_limit=check_limit)}

    def delete(self, req, project_id):
        self._check(req, 'delete_quota', project_id)
        self.core.quotas.reset(project_id)
        return None


class IPAvailability:
    """``/v2.0/network-ip-availabilities``: admin only, as in Neutron."""

    def __init__(self, core, enforcer):
        self.core = core
        self.enforcer = enforcer

    def _check(self, req):
        ctx = middleware.get_context(req)
        self.enforcer.authorize('get_network_ip_availability', {}, ctx)

    @staticmethod
    def _fields(req, item):
        fields = listing.parse_fields(req)
        return {k: v for k, v in item.items() if k in fields} if fields else item

    def index(self, req):
        self._check(req)
        filters = {k: req.GET.getall(k) for k in req.GET.keys() if k != 'fields'}
        return {'network_ip_availabilities': [
            self._fields(req, i) for i in self.core.ip_availability.list(filters)]}

    def show(self, req, id):
        self._check(req)
        return {'network_ip_availability': self._fields(
            req, self.core.ip_availability.show(id))}


class ServiceProviders:
    def index(self, req):
        return {'service_providers': [dict(p) for p in flavors.SERVICE_PROVIDERS]}


class FlavorProfiles:
    """``/v2.0/flavors/{flavor_id}/service_profiles``: associate a service profile with a
    flavor (POST ``{"service_profile": {"id": ...}}``) or dissociate it (DELETE), admin only."""

    def __init__(self, core, enforcer):
        self.core = core
        self.enforcer = enforcer

    def _check(self, req, rule):
        ctx = middleware.get_context(req)
        self.enforcer.authorize(rule, {}, ctx)
        return ctx

    def create(self, req, flavor_id):
        ctx = self._check(req, 'create_flavor_service_profile')
        body = wsgi_response.json_body(req)
        if set(body) != {'service_profile'}:
            raise nexc.BadRequest("Resource body required: a 'service_profile' object.")
        validation.validate(schemas.FLAVOR_PROFILE_BINDING, body['service_profile'])
        bound = self.core.flavors.associate(ctx, flavor_id, body['service_profile']['id'])
        return wsgi_response.json_response({'service_profile': bound}, status=201)

    def delete(self, req, flavor_id, id):
        ctx = self._check(req, 'delete_flavor_service_profile')
        self.core.flavors.disassociate(ctx, flavor_id, id)
        return None
