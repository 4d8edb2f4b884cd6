"""One generic controller for the identity resources that follow the plain CRUD shape
(domains, projects, users, groups, roles, regions, services, endpoints, credentials).

An update is authorized twice, as Keystone does: against the stored entity and against the
entity as it would be after the change, so a caller cannot move what it may edit (a
credential, say) to an owner or scope it may not edit."""
import json

from common import exceptions
from common import validators
from identity.api import base
from identity.db import api as db_api

# ``extra`` is a TEXT column: 64 KiB on MariaDB, less than a request body may carry.
MAX_EXTRA_BYTES = 65535


class Resource:
    """How one resource maps onto the generic controller."""

    def __init__(self, key, plural, view, create_schema, update_schema, check_write=None,
                 own_rows=False, prepare_create=None, prepare_update=None):
        self.key, self.plural, self.view = key, plural, view
        self.create_schema, self.update_schema = create_schema, update_schema
        # check_write(controller, req, attrs, lookup): refuses a create or an update beyond
        # what policy rules can say; ``attrs`` is the entity as it would be afterwards.
        self.check_write = check_write
        # A caller who may not list them all sees the rows it owns (credentials).
        self.own_rows = own_rows
        self.prepare_create = prepare_create
        # prepare_update(app, req, changes): the changes as stored (after policy)
        self.prepare_update = prepare_update


class CrudController(base.Controller):
    def __init__(self, app, resource):
        super().__init__(app)
        self.res = resource

    def _target(self, columns):
        return {self.res.key: columns}

    def _target_after(self, before, changes):
        after = dict(before[self.res.key])
        after.update((k, v) for k, v in changes.items() if k not in db_api.SECRET_ATTRS)
        return {self.res.key: after}

    def _view(self, req, entity):
        return getattr(self.app.views, self.res.view)(req, entity)

    def index(self, req):
        ctx = self.context(req)
        rule = 'identity:list_%s' % self.res.plural
        owner_id = None
        if not self.app.enforcer.enforce(rule, {}, ctx):
            if not self.res.own_rows:
                self.enforce(req, rule)
            owner_id = ctx.user_id
        lr = self.list_request(req)
        rows = self.store.list_entities(self.res.plural, lr, owner_id)
        return self.page(req, self.res.plural, rows, lr, self._view)

    def show(self, req, **ids):
        self.context(req)
        entity = self.store.show_entity(
            self.res.plural, list(ids.values()),
            lambda columns: self.enforce(req, 'identity:get_%s' % self.res.key,
                                         self._target(columns)))
        return {self.res.key: self._view(req, entity)}

    def _keep_extra(self, schema, data, stored=None):
        """Attributes the API does not define go into ``extra`` (merged with ``stored``)
        and come back in the entity, as Keystone keeps them; a model without ``extra``
        ignores them."""
        known = schema['properties'][self.res.key]['properties']
        unknown = {k: data.pop(k) for k in list(data) if k not in known}
        if unknown and db_api.has_extra(self.res.plural):
            data['extra'] = dict(stored or {}, **unknown)
            if len(json.dumps(data['extra']).encode()) > MAX_EXTRA_BYTES:
                raise exceptions.BadRequest('The extra attributes of the %s exceed %d bytes.'
                                            % (self.res.key, MAX_EXTRA_BYTES))
        return data

    def create(self, req):
        return self._create(req, self.body(req, self.res.create_schema)[self.res.key])

    def create_with_id(self, req, **ids):
        """``PUT /v3/regions/{id}``: create with the id of the path (Keystone's form)."""
        (path_id,) = ids.values()
        data = self.body(req, self.res.create_schema)[self.res.key]
        if data.get('id', path_id) != path_id:
            raise exceptions.BadRequest('The id in the body (%s) differs from the one in the '
                                        'path.' % validators.quote(data['id']))
        data['id'] = path_id
        return self._create(req, data)

    def _create(self, req, data):
        data = self._keep_extra(self.res.create_schema, data)
        if self.res.prepare_create:
            # defaults first (e.g. the caller's domain): policy sees the entity as made
            data = self.res.prepare_create(self.app, req, data)
        self.enforce(req, 'identity:create_%s' % self.res.key,
                     {self.res.key: {k: v for k, v in data.items()
                                     if k not in db_api.SECRET_ATTRS}})
        check = None
        if self.res.check_write:
            def check(attrs, lookup):
                self.res.check_write(self, req, attrs, lookup)
        entity = self.store.create_entity(self.res.plural, data, check)
        return self.created({self.res.key: self._view(req, entity)})

    def update(self, req, **ids):
        data = self.body(req, self.res.update_schema)[self.res.key]
        data.pop('id', None)
        rule = 'identity:update_%s' % self.res.key

        def authorize(entity, lookup):
            changes = self._keep_extra(self.res.update_schema, data,
                                       getattr(entity, 'extra', None))
            before = self._target(db_api.policy_columns(entity))
            self.enforce(req, rule, before)
            after = self._target_after(before, changes)
            self.enforce(req, rule, after)
            if self.res.check_write:
                self.res.check_write(self, req, after[self.res.key], lookup)
            if self.res.prepare_update:
                changes = self.res.prepare_update(self.app, req, changes)
            return changes
        entity = self.store.update_entity(self.res.plural, list(ids.values()), authorize)
        return {self.res.key: self._view(req, entity)}

    def delete(self, req, **ids):
        self.store.delete_entity(
            self.res.plural, list(ids.values()),
            lambda columns: self.enforce(req, 'identity:delete_%s' % self.res.key,
                                         self._target(columns)))
        return None
