"""Generic volume groups: /group_types (3.11), /groups (3.13), /group_snapshots (3.14).

A group holds volumes of its volume types on one backend pool (the scheduler picks it);
a group snapshot is a snapshot of each of its volumes, taken by that pool's volume daemon
in one request; a group may be created from a group snapshot or another group."""
import webob

from blockstore.api import base
from blockstore.api import schemas
from blockstore.api import views
from blockstore.db import api as db_api
from blockstore.db import groups as groups_db
from common import exceptions
from common import validation
from common.wsgi import response


def _accepted():
    return webob.Response(status=202)


def _ids(text):
    return [i for i in (text or '').split(',') if i]


class GroupTypes(base.Controller):
    def _ctx(self, req, rule):
        self.require(req, (3, 11))
        return self.context(req, rule)

    def index(self, req, project_id):
        ctx = self._ctx(req, 'group_type:get_all')
        wanted = None
        if ctx.is_admin and req.GET.get('is_public', 'none').lower() != 'none':
            wanted = schemas.truthy(req.GET['is_public'])
        return {'group_types': [views.group_type(t)
                                for t in groups_db.list_types(self.db, ctx, wanted)]}

    def show(self, req, project_id, id):
        ctx = self._ctx(req, 'group_type:get')
        if id == 'default':
            id = self.conf.blockstore.default_group_type
            if not id:
                raise exceptions.NotFound('Default group type could not be found.')
        return {'group_type': views.group_type(groups_db.get_type(self.db, id, ctx))}

    def create(self, req, project_id):
        self._ctx(req, 'group_type:manage')
        item = validation.validate(schemas.GROUP_TYPE_CREATE,
                                   response.json_body(req))['group_type']
        row = groups_db.create_type(self.db, item['name'].strip(), item.get('description'),
                                    schemas.truthy(item.get('is_public', True)),
                                    item.get('group_specs'))
        # Cinder answers 202 here (and for group_specs), unlike a volume type's 200.
        return response.json_response({'group_type': views.group_type(row)}, status=202)

    def update(self, req, project_id, id):
        self._ctx(req, 'group_type:manage')
        item = validation.validate(schemas.GROUP_TYPE_UPDATE,
                                   response.json_body(req))['group_type']
        if not item:
            raise exceptions.BadRequest('Specify group type name, description, is_public or '
                                        'a combination thereof.')
        if 'is_public' in item:
            item['is_public'] = schemas.truthy(item['is_public'])
        return {'group_type': views.group_type(groups_db.update_type(self.db, id, **item))}

    def delete(self, req, project_id, id):
        self._ctx(req, 'group_type:manage')
        groups_db.delete_type(self.db, id)
        return _accepted()

    def specs_index(self, req, project_id, id):
        ctx = self._ctx(req, 'group_type:get')
        return {'group_specs': groups_db.get_type(self.db, id, ctx)['group_specs'] or {}}

    def specs_create(self, req, project_id, id):
        self._ctx(req, 'group_type:manage')
        body = validation.validate(schemas.GROUP_SPECS, response.json_body(req))
        groups_db.set_specs(self.db, id, body['group_specs'])
        return response.json_response({'group_specs': body['group_specs']}, status=202)

    def specs_show(self, req, project_id, id, key):
        ctx = self._ctx(req, 'group_type:get')
        specs = groups_db.get_type(self.db, id, ctx)['group_specs'] or {}
        if key not in specs:
            raise exceptions.NotFound('Group type %s has no group specs with key %s.'
                                      % (id, key[:64]))
        return {key: specs[key]}

    def specs_update(self, req, project_id, id, key):
        self._ctx(req, 'group_type:manage')
        body = validation.validate(dict(schemas.METADATA, minProperties=1, maxProperties=1),
                                   response.json_body(req))
        if key not in body:
            raise exceptions.BadRequest('Request body and URI mismatch.')
        groups_db.set_specs(self.db, id, body)
        return body

    def specs_delete(self, req, project_id, id, key):
        self._ctx(req, 'group_type:manage')
        groups_db.set_specs(self.db, id, remove=key)
        return _accepted()


class Groups(base.Controller):
    def _ctx(self, req, rule, minimum=(3, 13)):
        self.require(req, minimum)
        return self.context(req, rule)

    def _render(self, req, row, detail=True, volume_ids=None):
        if volume_ids is None and detail and validation.query_bool(req, 'list_volume', False):
            volume_ids = [v['id'] for v in groups_db.volumes(self.db, row['id'])]
        return views.group(self.conf, req, row, detail, self.version(req), volume_ids)

    def _list(self, req, detail):
        ctx = self._ctx(req, 'group:get_all')
        everyone = self.all_projects(req, ctx)
        lr = self.list_request(req, ('list_volume',))
        rows = db_api.list_rows(self.db, 'group', groups_db.GROUP_FIELDS, ctx, everyone,
                                lr.filters, lr.sorts, lr.limit, lr.marker, lr.page_reverse,
                                what='Group')
        vols = {}
        if detail and validation.query_bool(req, 'list_volume', False):
            vols = groups_db.volume_ids_by_group(self.db, [g['id'] for g in rows])
        return base.list_body(self.conf, req, 'groups', rows, lr,
                            lambda g: self._render(req, g, detail, vols.get(g['id'])))

    def index(self, req, project_id):
        return self._list(req, False)

    def detail(self, req, project_id):
        return self._list(req, True)

    def show(self, req, project_id, id):
        ctx = self._ctx(req, 'group:get')
        return {'group': self._render(req, groups_db.get(self.db, id, ctx))}

    def create(self, req, project_id):
        ctx = self._ctx(req, 'group:create')
        item = validation.validate(schemas.GROUP_CREATE, response.json_body(req))['group']
        gtype = groups_db.get_type(self.db, item['group_type'], ctx)
        type_ids = []
        for ref in item['volume_types']:
            vtype = db_api.get_type(self.db, ref, ctx)
            if vtype['id'] not in type_ids:
                type_ids.append(vtype['id'])
        zone = (item.get('availability_zone')
                or self.conf.blockstore.default_availability_zone
                or self.conf.blockstore.storage_availability_zone)
        from blockstore.api import volumes
        if zone not in volumes.known_zones(self.state):
            raise exceptions.BadRequest("Invalid input for field/attribute "
                                        "availability_zone: availability zone '%s' is "
                                        "invalid." % zone)
        row = db_api.create_with_quota(self.db, self.conf, 'group', {
            'project_id': ctx.project_id, 'user_id': ctx.user_id, 'name': item.get('name'),
            'description': item.get('description'), 'status': 'creating',
            'availability_zone': zone, 'group_type_id': gtype['id'],
            'volume_type_ids': type_ids}, groups=1)
        self.scheduler_rpc.create_group(ctx, row['id'])
        return response.json_response({'group': {'id': row['id'], 'name': row['name']}},
                                      status=202)

    def update(self, req, project_id, id):
        ctx = self._ctx(req, 'group:update')
        item = validation.validate(schemas.GROUP_UPDATE, response.json_body(req))['group']
        add, remove = _ids(item.get('add_volumes')), _ids(item.get('remove_volumes'))
        values = {k: item[k] for k in ('name', 'description') if k in item}
        if not values and not add and not remove:
            raise exceptions.BadRequest('Name, description, add_volumes and remove_volumes '
                                        'can not be all empty in the request body.')
        overlap = set(add) & set(remove)
        if overlap:
            raise exceptions.BadRequest('Invalid volume: volume %s is both added and '
                                        'removed.' % sorted(overlap)[0])
        groups_db.update(self.db, ctx, id, values, add, remove)
        return _accepted()

    def action(self, req, project_id, id):
        name, args = schemas.action(schemas.GROUP_ACTIONS, response.json_body(req))
        if name == 'reset_status':
            ctx = self._ctx(req, 'group:reset_status', (3, 20))
            groups_db.get(self.db, id, ctx)
            db_api.update(self.db, 'group', id, status=args['status'])
            return _accepted()
        ctx = self._ctx(req, 'group:delete')
        groups_db.get(self.db, id, ctx)
        group, vols = groups_db.begin_delete(self.db, id,
                                             schemas.truthy(args.get('delete-volumes')))
        if group['host']:
            self.volume_rpc.delete_group(ctx, group['host'], id)
        else:  # never placed: nothing of it exists on a backend
            for vol in vols:
                db_api.delete_row(self.db, 'volume', vol['id'])
            db_api.delete_row(self.db, 'group', id)
        return _accepted()

    def create_from_src(self, req, project_id):
        ctx = self._ctx(req, 'group:create_from_src', (3, 14))
        body = response.json_body(req)
        if not isinstance(body, dict) or 'create-from-src' not in body:
            raise exceptions.BadRequest('There is no such action: the body must be '
                                        '{"create-from-src": {...}}.')
        args = validation.validate({'type': 'object', 'properties': {
            'create-from-src': schemas.GROUP_FROM_SRC}}, body)['create-from-src'] or {}
        snap_id, src_id = args.get('group_snapshot_id'), args.get('source_group_id')
        if bool(snap_id) == bool(src_id):
            raise exceptions.BadRequest('Invalid input: give either group_snapshot_id or '
                                        'source_group_id.')
        row = groups_db.create_from_source(self.db, self.conf, ctx, args.get('name'),
                                           args.get('description'), snap_id, src_id)
        self.volume_rpc.create_group_from_src(ctx, row['host'], row['id'])
        return response.json_response({'group': {'id': row['id'], 'name': row['name']}},
                                      status=202)


class GroupSnapshots(base.Controller):
    def _ctx(self, req, rule, minimum=(3, 14)):
        self.require(req, minimum)
        return self.context(req, rule)

    def _list(self, req, detail):
        ctx = self._ctx(req, 'group_snapshot:get_all')
        everyone = self.all_projects(req, ctx)
        lr = self.list_request(req)
        rows = db_api.list_rows(self.db, 'group_snapshot', groups_db.GROUP_SNAPSHOT_FIELDS,
                                ctx, everyone, lr.filters, lr.sorts, lr.limit, lr.marker,
                                lr.page_reverse, what='Group snapshot')
        return base.list_body(self.conf, req, 'group_snapshots', rows, lr,
                            lambda g: views.group_snapshot(g, detail, self.version(req)))

    def index(self, req, project_id):
        return self._list(req, False)

    def detail(self, req, project_id):
        return self._list(req, True)

    def show(self, req, project_id, id):
        ctx = self._ctx(req, 'group_snapshot:get')
        return {'group_snapshot': views.group_snapshot(
            groups_db.get_snapshot(self.db, id, ctx), True, self.version(req))}

    def create(self, req, project_id):
        ctx = self._ctx(req, 'group_snapshot:create')
        item = validation.validate(schemas.GROUP_SNAPSHOT_CREATE,
                                   response.json_body(req))['group_snapshot']
        row = groups_db.create_snapshot(self.db, self.conf, ctx, item['group_id'],
                                        item.get('name'), item.get('description'))
        self.volume_rpc.create_group_snapshot(ctx, row['host'], row['id'])
        return response.json_response(
            {'group_snapshot': {'id': row['id'], 'name': row['name'],
                                'group_type_id': row['group_type_id']}}, status=202)

    def delete(self, req, project_id, id):
        ctx = self._ctx(req, 'group_snapshot:delete')
        groups_db.get_snapshot(self.db, id, ctx)
        row = groups_db.begin_snapshot_delete(self.db, id)
        self.volume_rpc.delete_group_snapshot(ctx, row['host'], id)
        return _accepted()

    def action(self, req, project_id, id):
        name, args = schemas.action(schemas.GROUP_SNAPSHOT_ACTIONS, response.json_body(req))
        ctx = self._ctx(req, 'group_snapshot:reset_status', (3, 19))
        groups_db.get_snapshot(self.db, id, ctx)
        db_api.update(self.db, 'group_snapshot', id, status=args['status'])
        return _accepted()
