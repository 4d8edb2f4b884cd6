"""/v3/{project_id}/attachments (microversion 3.27+): how compute attaches a volume.

create (volume reserved; with a connector also exported and its connection_info returned)
-> update with the host's connector (connection_info) -> os-complete once the guest sees
the disk (volume in-use) -> delete (connection ended; export removed with the last one)."""
import webob

from blockstore.api import base
from blockstore.api import schemas
from blockstore.api import views
from blockstore.api import volumes
from blockstore.db import api as db_api
from common import exceptions
from common import validation
from common.db import types
from common.wsgi import response


class Attachments(base.Controller):
    def _attachment(self, ctx, id):
        return db_api.get_attachment(self.db, id, ctx)

    def _list(self, req, detail):
        self.require(req, (3, 27))
        ctx = self.context(req, 'attachment:get_all')
        everyone = self.all_projects(req, ctx)
        lr = self.list_request(req)
        lr.sorts = [('id', d) if k == 'created_at' else (k, d) for k, d in lr.sorts]
        rows = db_api.list_rows(self.db, 'attachment', db_api.ATTACHMENT_FIELDS, ctx,
                                everyone, lr.filters, lr.sorts, lr.limit, lr.marker,
                                lr.page_reverse, what='Attachment')
        return base.list_body(self.conf, req, 'attachments', rows, lr,
                            lambda a: views.attachment(a) if detail else
                            {'id': a['id'], 'volume_id': a['volume_id'],
                             'instance': a['instance_uuid'], 'status': a['attach_status']})

    def index(self, req, project_id):
        return self._list(req, False)

    def detail(self, req, project_id):
        return self._list(req, True)

    def show(self, req, project_id, id):
        self.require(req, (3, 27))
        ctx = self.context(req, 'attachment:get')
        return {'attachment': views.attachment(self._attachment(ctx, id))}

    def _connect(self, ctx, vol, att, connector):
        info = self.rpc(self.volume_rpc.initialize_connection, ctx, vol['host'], vol['id'],
                        connector)
        info['attachment_id'] = att['id']
        att = db_api.update(self.db, 'attachment', att['id'], connector=connector,
                            attach_status='attaching', attached_host=connector.get('host'))
        db_api.transition(self.db, 'volume', vol['id'], None, {'status': 'attaching'}
                          if vol['status'] != 'in-use' else {})
        return att, info

    def create(self, req, project_id):
        self.require(req, (3, 27))
        ctx = self.context(req, 'attachment:create')
        item = validation.validate(schemas.ATTACHMENT_CREATE,
                                   response.json_body(req))['attachment']
        vol = self.volume(ctx, item['volume_uuid'])
        if not vol['host']:
            raise exceptions.BadRequest('Invalid volume: volume %s has no backend.'
                                        % vol['id'])

        def check(sess, row):
            if row.status == 'in-use' and not row.multiattach:
                return ('Invalid volume: volume %s is attached and its type does not allow '
                        'multiattach.' % row.id)
            return None
        allowed = {'available', 'in-use', 'reserved', 'attaching'} \
            if vol['multiattach'] else {'available'}
        db_api.transition(self.db, 'volume', vol['id'], allowed,
                          {'status': 'reserved' if vol['status'] == 'available'
                           else vol['status']}, extra=check)
        att = db_api.create_with_quota(self.db, self.conf, 'attachment', {
            'volume_id': vol['id'], 'project_id': vol['project_id'],
            'instance_uuid': item.get('instance_uuid'),
            'attach_mode': item.get('mode', 'rw'), 'attach_status': 'reserved'})
        info = None
        if item.get('connector'):
            try:
                att, info = self._connect(ctx, vol, att, item['connector'])
            except Exception:
                db_api.delete_row(self.db, 'attachment', att['id'])
                volumes.settle(self.db, vol['id'], None)
                raise
        return {'attachment': views.attachment(att, info)}

    def update(self, req, project_id, id):
        self.require(req, (3, 27))
        ctx = self.context(req, 'attachment:update')
        item = validation.validate(schemas.ATTACHMENT_UPDATE,
                                   response.json_body(req))['attachment']
        att = self._attachment(ctx, id)
        vol = db_api.get_volume(self.db, att['volume_id'])
        att, info = self._connect(ctx, vol, att, item['connector'])
        return {'attachment': views.attachment(att, info)}

    def action(self, req, project_id, id):
        self.require(req, (3, 44))
        ctx = self.context(req, 'attachment:complete')
        body = response.json_body(req)
        if not isinstance(body, dict) or list(body) != ['os-complete']:
            raise exceptions.BadRequest('The only attachment action is os-complete.')
        att = self._attachment(ctx, id)
        if att['attach_status'] not in ('attaching', 'attached'):
            raise exceptions.BadRequest('Invalid attachment: attachment %s has no connection '
                                        '(update it with a connector first).' % id)
        db_api.update(self.db, 'attachment', id, attach_status='attached',
                      attach_time=types.utcnow())
        db_api.update(self.db, 'volume', att['volume_id'], status='in-use',
                      attach_status='attached')
        return webob.Response(status=204)

    def delete(self, req, project_id, id):
        self.require(req, (3, 27))
        ctx = self.context(req, 'attachment:delete')
        att = self._attachment(ctx, id)
        vol = db_api.get_volume(self.db, att['volume_id'])
        others = [a for a in self.attachments(vol['id']) if a['id'] != id]
        if att['connector'] and vol['host']:
            same_host = [a for a in others if a['connector'] == att['connector']]
            self.rpc(self.volume_rpc.terminate_connection, ctx, vol['host'], vol['id'],
                     None if same_host else att['connector'],
                     remove_export=not [a for a in others if a['connector']])
        db_api.delete_row(self.db, 'attachment', id)
        volumes.settle(self.db, vol['id'], None)
        return {'attachments': [views.attachment(a) for a in others]}
