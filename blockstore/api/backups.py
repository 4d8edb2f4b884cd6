"""/v3/{project_id}/backups: chunked, compressed, incremental backups to the object store,
made and restored by the volume daemon holding the volume's data."""
import webob

from blockstore import rpcapi
from blockstore.api import base
from blockstore.api import schemas
from blockstore.api import views
from blockstore.db import api as db_api
from common import exceptions
from common import validation
from common.wsgi import response


class Backups(base.Controller):
    def _dependents(self, backup_id):
        return db_api.count(self.db, 'backup', parent_id=backup_id)

    def _render(self, req, bak, detail=True, dependents=None):
        """``dependents``: the page's counts of incremental backups, if a list read them."""
        if detail and dependents is None:
            dependents = self._dependents(bak['id'])
        return views.backup(self.conf, req, bak, bool(dependents), detail, self.version(req))

    def _list(self, req, detail):
        ctx = self.context(req, 'backup:get_all')
        everyone = self.all_projects(req, ctx)
        lr = self.list_request(req)
        rows = db_api.list_rows(self.db, 'backup', db_api.BACKUP_FIELDS, ctx, everyone,
                                lr.filters, lr.sorts, lr.limit, lr.marker, lr.page_reverse,
                                what='Backup')
        counts = db_api.dependent_counts(self.db, [b['id'] for b in rows]) if detail else {}
        return base.list_body(self.conf, req, 'backups', rows, lr,
                            lambda b: self._render(req, b, detail, counts.get(b['id'], 0)))

    def index(self, req, project_id):
        return self._list(req, False)

    def detail(self, req, project_id):
        return self._list(req, True)

    def show(self, req, project_id, id):
        ctx = self.context(req, 'backup:get')
        return {'backup': self._render(req, db_api.get_backup(self.db, id, ctx))}

    def create(self, req, project_id):
        ctx = self.context(req, 'backup:create')
        item = validation.validate(schemas.BACKUP_CREATE, response.json_body(req))['backup']
        vol = self.volume(ctx, item['volume_id'])
        force = schemas.truthy(item.get('force', False))
        allowed = {'available'} | ({'in-use'} if force else set())
        if vol['status'] not in allowed:
            raise exceptions.BadRequest('Invalid volume: volume status must be %s to back '
                                        'up, not %s.' % (' or '.join(sorted(allowed)),
                                                         vol['status']))
        parent = None
        if schemas.truthy(item.get('incremental', False)):
            found = db_api.rows(self.db, 'backup', volume_id=vol['id'],
                                status='available')
            if not found:
                raise exceptions.BadRequest('Invalid backup: no backups available to do an '
                                            'incremental backup.')
            parent = found[-1]['id']
        db_api.transition(self.db, 'volume', vol['id'], allowed,
                          {'status': 'backing-up', 'previous_status': vol['status']})
        try:
            bak = db_api.create_with_quota(self.db, self.conf, 'backup', {
                'project_id': ctx.project_id, 'user_id': ctx.user_id, 'volume_id': vol['id'],
                'name': item.get('name'), 'description': item.get('description'),
                'size': vol['size'], 'status': 'creating', 'parent_id': parent,
                'container': self.conf.blockstore.backup_container,
                'availability_zone': vol['availability_zone'],
                'host': rpcapi.backend_host(vol['host'])}, backups=1,
                backup_gigabytes=vol['size'])
        except Exception:
            db_api.update(self.db, 'volume', vol['id'], status=vol['status'])
            raise
        self.volume_rpc.create_backup(ctx, vol['host'], bak['id'])
        return response.json_response({'backup': {
            'id': bak['id'], 'name': bak['name'],
            'links': views.backup(self.conf, req, bak)['links']}}, status=202)

    def delete(self, req, project_id, id):
        ctx = self.context(req, 'backup:delete')
        self._delete(ctx, db_api.get_backup(self.db, id, ctx), {'available', 'error'})
        return webob.Response(status=202)

    def _delete(self, ctx, bak, allowed):
        db_api.begin_backup_delete(self.db, bak['id'], allowed)
        self.volume_rpc.delete_backup(ctx, bak['host'], bak['id'])

    def restore(self, req, project_id, id):
        ctx = self.context(req, 'backup:restore')
        args = validation.validate(schemas.BACKUP_RESTORE,
                                   response.json_body(req))['restore'] or {}
        bak = db_api.get_backup(self.db, id, ctx)
        if bak['status'] != 'available':
            raise exceptions.BadRequest('Invalid backup: backup status must be available, '
                                        'not %s.' % bak['status'])
        source = db_api.rows(self.db, 'volume', id=bak['volume_id'])
        pool = source[0]['host'] if source else None
        if args.get('volume_id'):
            vol = self.volume(ctx, args['volume_id'])
            if vol['size'] < bak['size']:
                raise exceptions.BadRequest('Invalid volume: volume %s (%d GiB) is smaller '
                                            'than the backup (%d GiB).'
                                            % (vol['id'], vol['size'], bak['size']))
            if rpcapi.backend_host(vol['host']) != bak['host']:
                raise exceptions.BadRequest('Invalid volume: volume %s is on another backend '
                                            'than the backup service of this backup.'
                                            % vol['id'])
            db_api.transition(self.db, 'volume', vol['id'], {'available'},
                              {'status': 'restoring-backup'})
            create = False
        else:
            if pool is None:
                pools = [p['name'] for p in db_api.list_pools(self.db)
                         if p['host'] == bak['host']]
                pool = pools[0] if pools else None
            if pool is None:
                raise exceptions.BadRequest('Invalid backup: its backend is gone.')
            vtype = db_api.get_type(self.db, self.conf.blockstore.default_volume_type)
            vol = db_api.create_with_quota(self.db, self.conf, 'volume', {
                'project_id': ctx.project_id, 'user_id': ctx.user_id, 'size': bak['size'],
                'status': 'restoring-backup', 'attach_status': 'detached',
                'name': args.get('name') or 'restore_backup_%s' % bak['id'],
                'availability_zone': bak['availability_zone'], 'host': pool,
                'volume_type_id': vtype['id'], 'metadata': {}}, volumes=1,
                gigabytes=bak['size'])
            create = True
        db_api.update(self.db, 'backup', id, status='restoring',
                      restore_volume_id=vol['id'])
        self.volume_rpc.restore_backup(ctx, vol['host'], id, vol['id'], create=create)
        return response.json_response({'restore': {
            'backup_id': id, 'volume_id': vol['id'], 'volume_name': vol['name']}},
            status=202)

    def action(self, req, project_id, id):
        name, args = schemas.action(schemas.BACKUP_ACTIONS, response.json_body(req))
        if name == 'os-reset_status':
            ctx = self.context(req, 'backup:reset_status')
            db_api.get_backup(self.db, id, ctx)
            db_api.update(self.db, 'backup', id, status=args['status'])
        else:
            ctx = self.context(req, 'backup:force_delete')
            self._delete(ctx, db_api.get_backup(self.db, id, ctx), None)
        return webob.Response(status=202)
