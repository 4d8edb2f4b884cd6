"""One generic controller for the identity resources that follow the plain CRUD shape
(domains, projects, users, groups, roles, regions, services, endpoints, credentials)."""
import sqlalchemy as sa

from identity.api import base


class Resource:
    """How one resource maps onto the generic controller."""

    def __init__(self, key, plural, model, view, get, create, update, delete,
                 create_schema, update_schema, filters=(), booleans=(), policy_target=None,
                 list_scope=None, prepare_create=None, query_hook=None):
        self.key, self.plural, self.model = key, plural, model
        self.view, self.get, self.create, self.update, self.delete = (
            view, get, create, update, delete)
        self.create_schema, self.update_schema = create_schema, update_schema
        self.filters, self.booleans = filters, booleans
        # Builds the policy target from an entity (default: {key: {'id': ..., **columns}}).
        self.policy_target = policy_target
        # Narrows a list to what the caller may see when it is not a reader of everything.
        self.list_scope = list_scope
        self.prepare_create = prepare_create
        # Always applied to list queries (e.g. roles: global unless domain_id is asked).
        self.query_hook = query_hook


class CrudController(base.Controller):
    def __init__(self, app, resource):
        super().__init__(app)
        self.res = resource

    def _target(self, entity):
        if self.res.policy_target:
            return self.res.policy_target(entity)
        columns = {c.name: getattr(entity, c.name) for c in entity.__table__.columns
                   if c.name not in ('password_hash', 'blob', 'secret_hash')}
        return {self.res.key: columns}

    def _view(self, req, entity):
        return getattr(self.app.views, self.res.view)(req, entity)

    def index(self, req):
        ctx = self.context(req)
        allowed = self.app.enforcer.enforce('identity:list_%s' % self.res.plural, {}, ctx)
        with self.db.session() as sess:
            query = sa.select(self.res.model)
            if not allowed:
                if self.res.list_scope is None:
                    self.enforce(req, 'identity:list_%s' % self.res.plural)
                query = self.res.list_scope(query, ctx)
            if self.res.query_hook:
                query = self.res.query_hook(query, req)
            query = base.apply_filters(req, query, self.res.model, self.res.filters,
                                       self.res.booleans)
            rows, truncated = base.paginate(req, sess, query, self.res.model,
                                            self.app.conf.identity.list_limit)
            items = [self._view(req, r) for r in rows]
        return self.collection(req, self.res.plural, items, truncated)

    def show(self, req, **ids):
        self.context(req)
        with self.db.session() as sess:
            entity = self.res.get(sess, *ids.values())
            self.enforce(req, 'identity:get_%s' % self.res.key, self._target(entity))
            return {self.res.key: self._view(req, entity)}

    def create(self, req):
        data = self.body(req, self.res.create_schema)[self.res.key]
        self.enforce(req, 'identity:create_%s' % self.res.key, {self.res.key: data})
        with self.db.session() as sess:
            if self.res.prepare_create:
                data = self.res.prepare_create(self.app, req, data)
            entity = self.res.create(sess, **data)
            return self.created({self.res.key: self._view(req, entity)})

    def update(self, req, **ids):
        data = self.body(req, self.res.update_schema)[self.res.key]
        with self.db.session() as sess:
            entity = self.res.get(sess, *ids.values())
            self.enforce(req, 'identity:update_%s' % self.res.key, self._target(entity))
            data.pop('id', None)
            entity = self.res.update(sess, *ids.values(), data)
            return {self.res.key: self._view(req, entity)}

    def delete(self, req, **ids):
        with self.db.session() as sess:
            entity = self.res.get(sess, *ids.values())
            self.enforce(req, 'identity:delete_%s' % self.res.key, self._target(entity))
            self.res.delete(sess, *ids.values())
        return None
