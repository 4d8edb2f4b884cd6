"""Small controllers: version discovery, extensions, quotas, router interface actions."""
from common import validation
from common.wsgi import middleware
from common.wsgi import response as wsgi_response
from network import exceptions as nexc
from network.api import schemas

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
    ('fip-port-details', 'Floating IP Port Details Extension', 'Add port_details attribute '
                                                               'to Floating IP resource'),
]


def _ext(alias, name, description):
    return {'alias': alias, 'name': name, 'description': description, 'links': [],
            'updated': '2024-01-01T00:00:00-00:00'}


class Versions:
    def __init__(self, conf):
        self.conf = conf

    def _base(self, req):
        return (self.conf.api.public_endpoint or req.host_url).rstrip('/')

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
        validation.validate(schemas.QUOTA_UPDATE, body['quota'])
        return {'quota': self.core.quotas.update(project_id, body['quota'])}

    def delete(self, req, project_id):
        self._check(req, 'delete_quota', project_id)
        self.core.quotas.reset(project_id)
        return None
