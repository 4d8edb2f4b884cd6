"""/v3/{project_id}/types: volume types, their extra specs and project access."""
from blockstore.api import base
from blockstore.api import schemas
from blockstore.api import views
from blockstore.db import api as db_api
from common import exceptions
from common import validation
from common.wsgi import response


class Types(base.Controller):
    def index(self, req, project_id):
        ctx = self.context(req, 'type:get_all')
        is_public = req.GET.get('is_public')
        wanted = None
        if is_public is not None and ctx.is_admin:
            wanted = None if is_public.lower() == 'none' else schemas.truthy(is_public)
        elif not ctx.is_admin:
            wanted = None
        return {'volume_types': [views.volume_type(t)
                                 for t in db_api.list_types(self.db, ctx, wanted)]}

    def show(self, req, project_id, id):
        ctx = self.context(req, 'type:get')
        if id == 'default':
            id = self.conf.blockstore.default_volume_type
        return {'volume_type': views.volume_type(db_api.get_type(self.db, id, ctx))}

    def create(self, req, project_id):
        self.context(req, 'type:manage')
        item = validation.validate(schemas.TYPE_CREATE,
                                   response.json_body(req))['volume_type']
        public = item.get('os-volume-type-access:is_public', item.get('is_public', True))
        vtype = db_api.create_type(self.db, item['name'].strip(), item.get('description'),
                                   schemas.truthy(public), item.get('extra_specs'))
        return {'volume_type': views.volume_type(vtype, 'create')}

    def update(self, req, project_id, id):
        self.context(req, 'type:manage')
        item = validation.validate(schemas.TYPE_UPDATE,
                                   response.json_body(req))['volume_type']
        if not item:
            raise exceptions.BadRequest('Specify volume type name, description, is_public or '
                                        'a combination thereof.')
        values = dict(item)
        if 'is_public' in values:
            values['is_public'] = schemas.truthy(values['is_public'])
        vtype = db_api.update_type(self.db, id, **values)
        return {'volume_type': views.volume_type(vtype, 'update')}

    def delete(self, req, project_id, id):
        self.context(req, 'type:manage')
        db_api.delete_type(self.db, id)
        return _accepted()

    # extra specs ------------------------------------------------------------------------
    def specs_index(self, req, project_id, id):
        ctx = self.context(req, 'type:get')
        return {'extra_specs': db_api.get_type(self.db, id, ctx)['extra_specs']}

    def specs_create(self, req, project_id, id):
        self.context(req, 'type:manage')
        body = validation.validate(schemas.EXTRA_SPECS, response.json_body(req))
        db_api.set_extra_specs(self.db, id, body['extra_specs'])
        return {'extra_specs': body['extra_specs']}

    def specs_show(self, req, project_id, id, key):
        ctx = self.context(req, 'type:get')
        specs = db_api.get_type(self.db, id, ctx)['extra_specs']
        if key not in specs:
            raise exceptions.NotFound('Volume Type %s has no extra specs with key %s.'
                                      % (id, key[:64]))
        return {key: specs[key]}

    def specs_update(self, req, project_id, id, key):
        self.context(req, 'type:manage')
        body = validation.validate(dict(schemas.METADATA, minProperties=1, maxProperties=1),
                                   response.json_body(req))
        if key not in body:
            raise exceptions.BadRequest('Request body and URI mismatch.')
        db_api.set_extra_specs(self.db, id, body)
        return body

    def specs_delete(self, req, project_id, id, key):
        self.context(req, 'type:manage')
        db_api.set_extra_specs(self.db, id, remove=key)
        return _accepted()

    # access ---------------------------------------------------------------------------
    def access_index(self, req, project_id, id):
        self.context(req, 'type:access')
        vtype = db_api.get_type(self.db, id)
        if vtype['is_public']:
            raise exceptions.NotFound('Volume type access for public volume type %s is not '
                                      'applicable.' % id)
        return {'volume_type_access': db_api.type_access(self.db, id)}

    def action(self, req, project_id, id):
        self.context(req, 'type:access')
        name, args = schemas.action(schemas.TYPE_ACTIONS, response.json_body(req))
        if name == 'addProjectAccess':
            db_api.type_access(self.db, id, add=args['project'])
        else:
            db_api.type_access(self.db, id, remove=args['project'])
        return _accepted()


def _accepted():
    import webob
    return webob.Response(status=202)
