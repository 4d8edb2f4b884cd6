"""Interoperable import: POST /v2/images/{id}/import and the /v2/info discovery calls."""
import webob

from common import exceptions
from common import validation
from common.wsgi import middleware
from common.wsgi import response as wsgi_response
from image import access
from image import imports as imports_mod
from image import upload as upload_mod
from image.api import schemas


class ImportController:
    def __init__(self, engine):
        self.engine = engine

    def import_image(self, req, image_id):
        ctx = middleware.get_context(req)
        body = validation.validate(schemas.IMPORT, wsgi_response.json_body(req))
        method = body['method']['name']
        enabled = self.engine.conf.enabled_import_methods
        if method not in enabled:
            raise exceptions.BadRequest('Import method %s is not supported; enabled methods: %s.'
                                        % (method, ', '.join(enabled) or '(none)'))
        if body.get('all_stores') and body.get('stores'):
            raise exceptions.BadRequest("Give either 'stores' or 'all_stores', not both.")
        for name in body.get('stores', []):
            if name not in self.engine.stores.by_name:
                raise exceptions.BadRequest('Store %s is not available; enabled stores: %s.'
                                            % (name, ', '.join(self.engine.stores.names())))
        all_must = body.get('all_stores_must_succeed', True)

        def plan(image):
            if method == 'copy-image':
                return self._copy_targets(ctx, image, body), None
            return self._direct_targets(ctx, image, body), 'importing'
        self.engine.imports.begin(ctx, image_id, method, plan, all_must, import_req=body)
        return webob.Response(status=202, content_type=None)

    def _direct_targets(self, ctx, image, body):
        access.require_owner(ctx, image, 'import data into')
        self.engine.authorize(ctx, 'import_image', image)
        if image['status'] != 'uploading' or not upload_mod.staged(self.engine, image['id']):
            raise exceptions.Conflict('Image %s has no staged data to import (status %s); '
                                      'stage it first with PUT /v2/images/%s/stage.'
                                      % (image['id'], image['status'], image['id']))
        if not image['disk_format'] or not image['container_format']:
            raise exceptions.BadRequest('Properties disk_format and container_format must be '
                                        'set prior to importing data.')
        if body.get('all_stores'):
            return self.engine.stores.names()
        return body.get('stores') or [self.engine.stores.default]

    def _copy_targets(self, ctx, image, body):
        self.engine.authorize(ctx, 'copy_image', image)
        if image['status'] != 'active':
            raise exceptions.Conflict('Only active images can be copied; image %s is %s.'
                                      % (image['id'], image['status']))
        wanted = self.engine.stores.names() if body.get('all_stores') else body.get('stores')
        if not wanted:
            raise exceptions.BadRequest("copy-image needs 'stores' or 'all_stores'.")
        have = {loc['store'] for loc in image['locations']}
        targets = [name for name in wanted if name not in have]
        if not targets:
            raise exceptions.Conflict('Image %s is already present in store(s) %s.'
                                      % (image['id'], ', '.join(wanted)))
        busy = image['properties'].get(imports_mod.IMPORTING) or ''
        busy = sorted(set(targets) & set(busy.split(',')) - {''})
        if busy:
            # A second job would clean up (remove) the first one's writes.
            raise exceptions.Conflict('Image %s is already being imported to store(s) '
                                      '%s.' % (image['id'], ', '.join(busy)))
        return targets


class InfoController:
    def __init__(self, engine):
        self.engine = engine

    def import_methods(self, req):
        self.engine.authorize(middleware.get_context(req), 'get_info')
        return {'import-methods': {'description': 'Import methods available.',
                                   'type': 'array',
                                   'value': list(self.engine.conf.enabled_import_methods)}}

    def stores(self, req):
        self.engine.authorize(middleware.get_context(req), 'get_info')
        stores = []
        for name, store in self.engine.stores.by_name.items():
            entry = {'id': name, 'description': store.description}
            if name == self.engine.stores.default:
                entry['default'] = True
            stores.append(entry)
        return {'stores': stores}
