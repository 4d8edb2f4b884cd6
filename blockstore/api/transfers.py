"""/v3/{project_id}/os-volume-transfer and, from 3.55, /volume-transfers: a project offers
one of its volumes; another project that is given the transfer id and auth key accepts it
and becomes the owner."""
import webob

from blockstore.api import base
from blockstore.api import schemas
from blockstore.api import views
from blockstore.db import transfers as transfer_db
from common import exceptions
from common import validation
from common.wsgi import response


class Transfers(base.Controller):
    def __init__(self, state, collection, minimum=None):
        super().__init__(state)
        self.collection = collection
        self.minimum = minimum  # /volume-transfers exists from 3.55 on

    def _ctx(self, req, rule):
        if self.minimum:
            self.require(req, self.minimum)
        return self.context(req, rule)

    def _view(self, req, row, detail=True, auth_key=None):
        return views.transfer(self.conf, req, self.collection, row, detail,
                              self.version(req), auth_key)

    def _list(self, req, detail):
        ctx = self._ctx(req, 'transfer:get_all')
        rows = transfer_db.list_all(self.db, ctx, self.all_projects(req, ctx))
        return {'transfers': [self._view(req, r, detail) for r in rows]}

    def index(self, req, project_id):
        return self._list(req, False)

    def detail(self, req, project_id):
        return self._list(req, True)

    def show(self, req, project_id, id):
        ctx = self._ctx(req, 'transfer:get')
        return {'transfer': self._view(req, transfer_db.get(self.db, id, ctx))}

    def create(self, req, project_id):
        ctx = self._ctx(req, 'transfer:create')
        item = validation.validate(schemas.TRANSFER_CREATE,
                                   response.json_body(req))['transfer']
        if 'no_snapshots' in item and self.version(req) < (3, 55):
            raise exceptions.BadRequest('Invalid input for field/attribute no_snapshots: it '
                                        'needs API version 3.55 or later.')
        row, key = transfer_db.create(self.db, ctx, item['volume_id'], item.get('name'),
                                      schemas.truthy(item.get('no_snapshots', False)))
        return response.json_response({'transfer': self._view(req, row, auth_key=key)},
                                      status=202)

    def delete(self, req, project_id, id):
        ctx = self._ctx(req, 'transfer:delete')
        transfer_db.delete(self.db, id, ctx)
        return webob.Response(status=202)

    def accept(self, req, project_id, id):
        ctx = self._ctx(req, 'transfer:accept')
        item = validation.validate(schemas.TRANSFER_ACCEPT, response.json_body(req))['accept']
        row = transfer_db.accept(self.db, self.conf, id, item['auth_key'], ctx)
        return response.json_response({'transfer': self._view(req, row, detail=False)},
                                      status=202)
