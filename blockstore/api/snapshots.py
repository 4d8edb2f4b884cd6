"""/v3/{project_id}/snapshots: point-in-time copies of a volume, on its backend."""
import webob

from blockstore.api import base
from blockstore.api import schemas
from blockstore.api import views
from blockstore.db import api as db_api
from common import exceptions
from common import validation
from common.wsgi import response


class Snapshots(base.Controller):
    def _list(self, req, detail):
        ctx = self.context(req, 'snapshot:get_all')
        everyone = self.all_projects(req, ctx)
        lr = self.list_request(req)
        rows = db_api.list_rows(self.db, 'snapshot', db_api.SNAPSHOT_FIELDS, ctx,
                                everyone, lr.filters, lr.sorts, lr.limit, lr.marker,
                                lr.page_reverse, what='Snapshot')
        return base.list_body(self.conf, req, 'snapshots', rows, lr,
                            lambda s: views.snapshot(s, detail, self.version(req)))

    def index(self, req, project_id):
        return self._list(req, False)

    def detail(self, req, project_id):
        return self._list(req, True)

    def show(self, req, project_id, id):
        ctx = self.context(req, 'snapshot:get')
        return {'snapshot': views.snapshot(self.snapshot(ctx, id), True, self.version(req))}

    def create(self, req, project_id):
        ctx = self.context(req, 'snapshot:create')
        item = validation.validate(schemas.SNAPSHOT_CREATE, response.json_body(req))['snapshot']
        if item['volume_id'] is None:
            raise exceptions.NotFound('Volume None could not be found.')
        vol = self.volume(ctx, item['volume_id'])
        force = schemas.truthy(item.get('force', False))
        # In use, the guest may write while the copy runs: only when asked (as Cinder).
        allowed = {'available'} | ({'in-use'} if force else set())
        if vol['status'] not in allowed:
            raise exceptions.BadRequest('Invalid volume: volume status must be %s to take a '
                                        'snapshot, not %s.'
                                        % (' or '.join(sorted(allowed)), vol['status']))
        snap = db_api.create_with_quota(self.db, self.conf, 'snapshot', {
            'project_id': ctx.project_id, 'user_id': ctx.user_id, 'volume_id': vol['id'],
            'name': item.get('name', item.get('display_name')),
            'description': item.get('description', item.get('display_description')),
            'size': vol['size'], 'status': 'creating', 'progress': '0%',
            'metadata': item.get('metadata') or {}, 'host': vol['host']},
            snapshots=1, gigabytes=vol['size'])
        self.volume_rpc.create_snapshot(ctx, vol['host'], snap['id'])
        return response.json_response(
            {'snapshot': views.snapshot(snap, False, self.version(req))}, status=202)

    def update(self, req, project_id, id):
        ctx = self.context(req, 'snapshot:update')
        item = validation.validate(schemas.SNAPSHOT_UPDATE, response.json_body(req))['snapshot']
        self.snapshot(ctx, id)
        values = {}
        for key, old in (('name', 'display_name'), ('description', 'display_description')):
            if key in item or old in item:
                values[key] = item.get(key, item.get(old))
        snap = db_api.update(self.db, 'snapshot', id, **values)
        return {'snapshot': views.snapshot(snap, False, self.version(req))}

    def delete(self, req, project_id, id):
        ctx = self.context(req, 'snapshot:delete')
        self._delete(ctx, self.snapshot(ctx, id), {'available', 'error', 'error_deleting'})
        return webob.Response(status=202)

    def _delete(self, ctx, snap, allowed):
        db_api.begin_snapshot_delete(self.db, snap['id'], allowed)
        self.volume_rpc.delete_snapshot(ctx, snap['host'], snap['id'])

    # metadata -------------------------------------------------------------------------
    def metadata_index(self, req, project_id, id):
        ctx = self.context(req, 'snapshot:get')
        return {'metadata': self.snapshot(ctx, id)['metadata'] or {}}

    def _set(self, req, id, replace):
        ctx = self.context(req, 'snapshot:update_metadata')
        body = validation.validate(schemas.METADATA_BODY, response.json_body(req))
        meta = {} if replace else dict(self.snapshot(ctx, id)['metadata'] or {})
        meta.update(body['metadata'])
        return {'metadata': db_api.update(self.db, 'snapshot', id,
                                          metadata=meta)['metadata']}

    def metadata_create(self, req, project_id, id):
        return self._set(req, id, False)

    def metadata_replace(self, req, project_id, id):
        return self._set(req, id, True)

    def metadata_show(self, req, project_id, id, key):
        ctx = self.context(req, 'snapshot:get')
        meta = self.snapshot(ctx, id)['metadata'] or {}
        if key not in meta:
            raise exceptions.NotFound('Metadata key %s of snapshot %s could not be found.'
                                      % (key[:64], id))
        return {'meta': {key: meta[key]}}

    def metadata_update(self, req, project_id, id, key):
        ctx = self.context(req, 'snapshot:update_metadata')
        body = validation.validate(schemas.META_ITEM, response.json_body(req))
        if key not in body['meta']:
            raise exceptions.BadRequest('Request body and URI mismatch: the key in the URL '
                                        'must be the one in the body.')
        meta = dict(self.snapshot(ctx, id)['metadata'] or {})
        meta.update(body['meta'])
        db_api.update(self.db, 'snapshot', id, metadata=meta)
        return {'meta': body['meta']}

    def metadata_delete(self, req, project_id, id, key):
        ctx = self.context(req, 'snapshot:update_metadata')
        meta = dict(self.snapshot(ctx, id)['metadata'] or {})
        if key not in meta:
            raise exceptions.NotFound('Metadata key %s of snapshot %s could not be found.'
                                      % (key[:64], id))
        meta.pop(key)
        db_api.update(self.db, 'snapshot', id, metadata=meta)
        return webob.Response(status=200)

    def action(self, req, project_id, id):
        name, args = schemas.action(schemas.SNAPSHOT_ACTIONS, response.json_body(req))
        if name == 'os-reset_status':
            ctx = self.context(req, 'snapshot:reset_status')
            self.snapshot(ctx, id)
            db_api.update(self.db, 'snapshot', id, status=args['status'])
        elif name == 'os-update_snapshot_status':
            ctx = self.context(req, 'snapshot:update_snapshot_status')
            self.snapshot(ctx, id)
            values = {'status': args['status']}
            if 'progress' in args:
                values['progress'] = args['progress']

            def check(sess, row):
                if args['status'] not in schemas.SNAPSHOT_STATUS_UPDATES.get(row.status, ()):
                    return ('Invalid snapshot: a snapshot in status %s cannot be updated to '
                            '%s.' % (row.status, args['status']))
            db_api.transition(self.db, 'snapshot', id, None, values, what='Snapshot',
                              extra=check)
        else:
            ctx = self.context(req, 'snapshot:force_delete')
            self._delete(ctx, self.snapshot(ctx, id), None)
        return webob.Response(status=202)
