"""Small controllers: version discovery, extensions, quotas, router actions (interfaces,
extra routes), network IP availability and service providers."""
from common import validation
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


class TrunkActions:
    """``/v2.0/trunks/{id}/add_subports``, ``remove_subports`` (PUT, answering the trunk
    itself, not wrapped, as Neutron does) and ``get_subports``."""

    def __init__(self, core, enforcer):
        self.core = core
        self.enforcer = enforcer

    def _run(self, req, id, rule, schema, func):
        ctx = middleware.get_context(req)
        body = wsgi_response.json_body(req)
        if not isinstance(body, dict):
            raise nexc.BadRequest("Resource body required: a 'sub_ports' list.")
        validation.validate(schema, body)
        trunk = self.core.trunks.show(ctx, id)
        self.enforcer.authorize(rule, trunk, ctx)
        return func(ctx, id, body['sub_ports'])

    def add_subports(self, req, id):
        return self._run(req, id, 'add_subports', schemas.ADD_SUBPORTS,
                         self.core.trunks.add_subports)

    def remove_subports(self, req, id):
        return self._run(req, id, 'remove_subports', schemas.REMOVE_SUBPORTS,
                         self.core.trunks.remove_subports)

    def get_subports(self, req, id):
        return self.core.trunks.subports(middleware.get_context(req), id)


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
