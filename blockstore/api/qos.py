"""/v3/{project_id}/qos-specs: quality of service specs and their volume types (admins).

Specs whose consumer is ``front-end`` or ``both`` are for the hypervisor to enforce; a
volume type is associated with at most one set of specs."""
import webob

from blockstore.api import base
from blockstore.api import schemas
from blockstore.api import views
from blockstore.db import api as db_api
from blockstore.db import qos as qos_db
from common import exceptions
from common import validation
from common.wsgi import response


class QosSpecs(base.Controller):
    def _show(self, req, spec):
        return {'qos_specs': views.qos_specs(spec),
                'links': views.links(self.conf, req, 'qos-specs', spec['id'])}

    def index(self, req, project_id):
        self.context(req, 'qos_specs:get_all')
        return {'qos_specs': [views.qos_specs(s) for s in qos_db.list_all(self.db)]}

    def show(self, req, project_id, id):
        self.context(req, 'qos_specs:get')
        return self._show(req, qos_db.get(self.db, id))

    def create(self, req, project_id):
        self.context(req, 'qos_specs:create')
        item = dict(validation.validate(schemas.QOS_CREATE,
                                        response.json_body(req))['qos_specs'])
        name = item.pop('name').strip()
        if not name:
            raise exceptions.BadRequest('Invalid input for field/attribute name: the name '
                                        'must not be blank.')
        consumer = item.pop('consumer', 'back-end')
        return self._show(req, qos_db.create(self.db, name, consumer, item))

    def update(self, req, project_id, id):
        self.context(req, 'qos_specs:update')
        item = validation.validate(schemas.QOS_UPDATE, response.json_body(req))['qos_specs']
        specs = {k: v for k, v in item.items() if k != 'consumer'}
        qos_db.update(self.db, id, consumer=item.get('consumer'), specs=specs)
        return {'qos_specs': item}

    def delete(self, req, project_id, id):
        self.context(req, 'qos_specs:delete')
        qos_db.delete(self.db, id, force=validation.query_bool(req, 'force', False))
        return webob.Response(status=202)

    def delete_keys(self, req, project_id, id):
        self.context(req, 'qos_specs:update')
        body = validation.validate(schemas.QOS_DELETE_KEYS, response.json_body(req))
        qos_db.update(self.db, id, remove=body['keys'])
        return webob.Response(status=202)

    # associations with volume types -------------------------------------------------------
    def associations(self, req, project_id, id):
        self.context(req, 'qos_specs:get')
        return {'qos_associations': qos_db.associations(self.db, id)}

    def _type_id(self, req):
        value = req.GET.get('vol_type_id')
        if not value or len(value) > 255:
            raise exceptions.BadRequest('Invalid input for query parameter vol_type_id: the '
                                        'id of a volume type is required.')
        return db_api.get_type(self.db, value)['id']

    def associate(self, req, project_id, id):
        self.context(req, 'qos_specs:update')
        qos_db.get(self.db, id)
        qos_db.associate(self.db, id, self._type_id(req))
        return webob.Response(status=202)

    def disassociate(self, req, project_id, id):
        self.context(req, 'qos_specs:update')
        qos_db.get(self.db, id)
        qos_db.disassociate(self.db, id, self._type_id(req))
        return webob.Response(status=202)

    def disassociate_all(self, req, project_id, id):
        self.context(req, 'qos_specs:update')
        qos_db.disassociate(self.db, id)
        return webob.Response(status=202)
