"""One generic controller for every collection: list, show, create (also bulk), update,
delete, with policy checks, attribute visibility, fields and pagination."""
from common import validation
from common.wsgi import listing
from common.wsgi import middleware
from common.wsgi import response as wsgi_response
from network import exceptions as nexc

class Resource:
    """``ops`` maps list/show/create/update/delete to manager callables."""

    def __init__(self, enforcer, member, collection, ops, create_schema, update_schema,
                 conf, target_hook=None, hidden=()):
        self.enforcer = enforcer
        self.member = member            # e.g. 'security_group'
        self.collection = collection    # e.g. 'security_groups' (body key)
        self.ops = ops
        self.create_schema = create_schema
        self.update_schema = update_schema
        self.conf = conf
        self.target_hook = target_hook  # adds e.g. network_project_id to policy targets
        self.hidden = list(hidden)

    # helpers -------------------------------------------------------------------
    def _authorize(self, rule, target, ctx):
        if rule in self.enforcer.registered_rules:
            self.enforcer.authorize(rule, target, ctx)

    def _authorize_attrs(self, action, item, target, ctx, current=None):
        """Attribute rules (``create_port:binding:host_id``) for every attribute given.

        As in Neutron, only values that change something are checked: a create asking
        for the default (None/False) or an update repeating the current value passes.
        """
        for attr, value in item.items():
            if value is None or value is False or (
                    current is not None and current.get(attr) == value):
                continue
            self._authorize('%s_%s:%s' % (action, self.member, attr), target, ctx)
            subs = value if isinstance(value, dict) else {}
            if isinstance(value, list):
                subs = {k: 1 for v in value if isinstance(v, dict) for k in v}
            for key in subs:
                self._authorize('%s_%s:%s:%s' % (action, self.member, attr, key), target, ctx)

    def _render(self, item, ctx, fields):
        for attr in self.hidden:
            if attr in item and not self.enforcer.enforce(
                    'get_%s:%s' % (self.member, attr), item, ctx):
                del item[attr]
        if fields:
            item = {k: v for k, v in item.items() if k in fields}
        return item

    def _target(self, ctx, item):
        target = dict(item)
        target.setdefault('project_id', item.get('tenant_id') or ctx.project_id)
        target['tenant_id'] = target['project_id']
        if self.target_hook is not None:
            target.update(self.target_hook(ctx, item))
        return target

    # actions -------------------------------------------------------------------
    def index(self, req):
        ctx = middleware.get_context(req)
        lr = listing.parse(req, self.conf.network.pagination_max_limit, nexc.BadRequest)
        rows = self.ops['list'](ctx, lr.filters, lr.sorts, lr.limit, lr.marker,
                                lr.page_reverse)
        return listing.body(self.conf, req, self.collection, rows, lr,
                            render=lambda item: self._render(item, ctx, None))

    def show(self, req, id):
        ctx = middleware.get_context(req)
        item = self.ops['show'](ctx, id)
        return {self.member: self._render(item, ctx, listing.parse_fields(req))}

    def create(self, req):
        ctx = middleware.get_context(req)
        body = wsgi_response.json_body(req)
        if self.collection in body and self.member not in body:
            items = body[self.collection]
            if len(body) != 1 or not isinstance(items, list) or not items:
                raise nexc.BadRequest("Bulk create needs a non-empty list in '%s'."
                                      % self.collection)
            bulk = True
        else:
            if set(body) != {self.member}:
                raise nexc.BadRequest("Resource body required: a '%s' object."
                                      % self.member)
            items, bulk = [body[self.member]], False
        for item in items:
            if not isinstance(item, dict):
                raise nexc.BadRequest("Each '%s' must be a JSON object." % self.member)
            validation.validate(self.create_schema, item)
            target = self._target(ctx, item)
            self._authorize('create_%s' % self.member, target, ctx)
            self._authorize_attrs('create', item, target, ctx)
        created = self.ops['create'](ctx, items)
        rendered = [self._render(i, ctx, None) for i in created]
        body = {self.collection: rendered} if bulk else {self.member: rendered[0]}
        return wsgi_response.json_response(body, status=201)

    def update(self, req, id):
        ctx = middleware.get_context(req)
        body = wsgi_response.json_body(req)
        if set(body) != {self.member} or not isinstance(body[self.member], dict):
            raise nexc.BadRequest("Resource body required: a '%s' object." % self.member)
        data = body[self.member]
        validation.validate(self.update_schema, data)
        current = self.ops['show'](ctx, id)
        stored = self._target(ctx, current)
        # Policy decides on the resource as stored and as it would be after the change, so
        # an update cannot produce what the caller could not have created (a port that
        # claims to be the network's DHCP or router port, say).
        for target in (stored, dict(stored, **data)):
            self._authorize('update_%s' % self.member, target, ctx)
            self._authorize_attrs('update', data, target, ctx, current)
        item = self.ops['update'](ctx, id, data)
        return {self.member: self._render(item, ctx, None)}

    def authorize_change(self, ctx, id):
        """404 unless the caller sees resource ``id``, 403 unless it may update it (what
        sub-resources such as tags ask of their parent); returns the resource."""
        current = self.ops['show'](ctx, id)
        self._authorize('update_%s' % self.member, self._target(ctx, current), ctx)
        return current

    def delete(self, req, id):
        ctx = middleware.get_context(req)
        current = self.ops['show'](ctx, id)
        self._authorize('delete_%s' % self.member, self._target(ctx, current), ctx)
        self.ops['delete'](ctx, id)
        return None
