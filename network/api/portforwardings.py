"""``/v2.0/floatingips/{floatingip_id}/port_forwardings[/{id}]``: the port forwardings of
a floating IP. Policy targets are the floating IP's project (who owns the forwarding);
a floating IP the caller cannot see is a 404 before any policy decision."""
from common import validation
from common.wsgi import listing
from common.wsgi import middleware
from common.wsgi import response as wsgi_response
from network import exceptions as nexc

MEMBER = 'port_forwarding'


def _integer_ports(data):
    """Neutron converts port numbers given as digit strings ("22") to integers."""
    for key in ('internal_port', 'external_port'):
        value = data.get(key)
        if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 6:
            data[key] = int(value)
    return data


class PortForwardings:
    def __init__(self, manager, enforcer, conf, create_schema, update_schema):
        self.manager = manager
        self.enforcer = enforcer
        self.conf = conf
        self.schemas = {'create': create_schema, 'update': update_schema}

    def _body(self, req, action):
        body = wsgi_response.json_body(req)
        if set(body) != {MEMBER} or not isinstance(body[MEMBER], dict):
            raise nexc.BadRequest("Resource body required: a '%s' object." % MEMBER)
        data = _integer_ports(dict(body[MEMBER]))
        validation.validate(self.schemas[action], data)
        return data

    def _authorize(self, ctx, action, fip_id):
        project = self.manager.fip_owner(ctx, fip_id)
        self.enforcer.authorize('%s_floatingip_port_forwarding' % action,
                                {'project_id': project, 'tenant_id': project}, ctx)

    def index(self, req, floatingip_id):
        ctx = middleware.get_context(req)
        self._authorize(ctx, 'get', floatingip_id)
        lr = listing.parse(req, self.conf.network.pagination_max_limit, nexc.BadRequest)
        rows = self.manager.list(ctx, floatingip_id, lr.filters, lr.sorts, lr.limit,
                                 lr.marker, lr.page_reverse)
        return listing.body(self.conf, req, 'port_forwardings', rows, lr)

    def show(self, req, floatingip_id, id):
        ctx = middleware.get_context(req)
        self._authorize(ctx, 'get', floatingip_id)
        item = self.manager.show(ctx, floatingip_id, id)
        fields = listing.parse_fields(req)
        return {MEMBER: {k: v for k, v in item.items() if not fields or k in fields}}

    def create(self, req, floatingip_id):
        ctx = middleware.get_context(req)
        data = self._body(req, 'create')
        self._authorize(ctx, 'create', floatingip_id)
        item = self.manager.create(ctx, floatingip_id, data)
        return wsgi_response.json_response({MEMBER: item}, status=201)

    def update(self, req, floatingip_id, id):
        ctx = middleware.get_context(req)
        data = self._body(req, 'update')
        self._authorize(ctx, 'update', floatingip_id)
        return {MEMBER: self.manager.update(ctx, floatingip_id, id, data)}

    def delete(self, req, floatingip_id, id):
        ctx = middleware.get_context(req)
        self._authorize(ctx, 'delete', floatingip_id)
        self.manager.delete(ctx, floatingip_id, id)
