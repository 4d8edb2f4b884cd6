"""The images proxy (Nova API up to 2.35): the image service's images in Nova's view, their
properties as ``metadata``, delete; the caller's own token reaches the image service."""
from common import client as client_mod
from common import exceptions
from common import validators
from compute import clients
from compute.api import base
from compute.api import proxy
from compute.api import schemas

# Nova's image status and progress of each image service status.
STATUS = {'active': 'ACTIVE', 'queued': 'SAVING', 'saving': 'SAVING', 'uploading': 'SAVING',
          'importing': 'SAVING', 'deleted': 'DELETED', 'pending_delete': 'DELETED',
          'killed': 'ERROR', 'deactivated': 'ERROR'}
PROGRESS = {'queued': 25, 'saving': 50, 'uploading': 50, 'importing': 50, 'active': 100}
# Nova's list filters -> the image service's (``server`` and ``type`` are properties).
FILTERS = {'name': 'name', 'status': 'status', 'server': 'instance_uuid',
           'type': 'image_type'}
# Nova's minimum filters (the image service has none): images asking at least that much.
MINIMUMS = {'minRam': 'min_ram', 'minDisk': 'min_disk'}
MAX_PAGES = 100         # of the image service's, for one list
MAX_METADATA = 128      # Nova's default metadata_items quota
ENDPOINT_KEY = 'compute.image_endpoint'
PATCH_TYPE = 'application/openstack-images-v2.1-json-patch'
META_BODY = {'type': 'object', 'properties': {'metadata': schemas.METADATA},
             'required': ['metadata'], 'additionalProperties': True}
META_ITEM = dict(schemas.METADATA, minProperties=1, maxProperties=1)
META_ITEM_BODY = {'type': 'object', 'properties': {'meta': META_ITEM}, 'required': ['meta'],
                  'additionalProperties': True}
NOT_FOUND = {400: (exceptions.NotFound, 'Image not found.'),
             404: (exceptions.NotFound, 'Image not found.')}


class Images(proxy.ProxyController):
    SERVICE = 'image'

    # views ---------------------------------------------------------------------------
    def links(self, req, image_id):
        links = super().links(req, 'images', image_id)
        if ENDPOINT_KEY not in req.environ:      # once per request
            try:
                req.environ[ENDPOINT_KEY] = self.backend(req).endpoint()
            except client_mod.ClientError:
                req.environ[ENDPOINT_KEY] = None
        alternate = req.environ[ENDPOINT_KEY]
        if not alternate:
            return links
        return links + [{'rel': 'alternate', 'type': 'application/vnd.openstack.image',
                         'href': '%s/images/%s' % (alternate, image_id)}]

    def basic(self, req, image):
        return {'id': image['id'], 'name': image.get('name'),
                'links': self.links(req, image['id'])}

    def detail(self, req, image):
        props = clients.image_properties(image)
        status = image.get('status')
        view = dict(self.basic(req, image), **{
            'minRam': int(image.get('min_ram') or 0), 'minDisk': int(image.get('min_disk') or 0),
            'metadata': props, 'created': _time(image.get('created_at')),
            'updated': _time(image.get('updated_at')), 'status': STATUS.get(status, 'UNKNOWN'),
            'progress': PROGRESS.get(status, 0), 'OS-EXT-IMG-SIZE:size': image.get('size')})
        server = props.get('instance_uuid')
        if server:
            view['server'] = {'id': server, 'links': super().links(req, 'servers', server)}
        if 'auto_disk_config' in props:
            auto = str(props['auto_disk_config']).lower() in ('true', '1', 'yes', 'on')
            view['OS-DCF:diskConfig'] = 'AUTO' if auto else 'MANUAL'
        return view

    # images --------------------------------------------------------------------------
    def image(self, req, id):
        self.gate(req)
        try:
            validators.uuid(id)
        except validators.InvalidValue:
            raise exceptions.NotFound('Image not found.')
        return self.call(req, 'GET', '/v2/images/%s' % id, errors=NOT_FOUND)

    def _list(self, req, detailed):
        self.gate(req)
        params = {}
        for name, key in FILTERS.items():
            value = req.GET.get(name)
            if value is None:
                continue
            if name == 'server':
                value = value.rstrip('/').rsplit('/', 1)[-1]    # an id or a server URL
            elif name == 'status':
                value = value.lower()
            params[key] = value
        since = base.parse_time(req, 'changes-since')
        if since is not None:
            params['updated_at'] = 'gte:%s' % since.strftime('%Y-%m-%dT%H:%M:%SZ')
        limit, marker = base.limit_marker(req)
        if marker:
            params['marker'] = marker
        found = self._fetch(req, params, limit)
        for name, key in MINIMUMS.items():
            least = base.int_param(req, name)
            if least is not None:
                found = [i for i in found if int(i.get(key) or 0) >= least]
        view = self.detail if detailed else self.basic
        items = [view(req, image) for image in found]
        return self.page(req, 'images', 'images/detail' if detailed else 'images', items,
                         limit)

    def _fetch(self, req, params, limit):
        """Up to ``limit`` images (all without one, as Nova's image client gives), following
        the image service's pages."""
        return client_mod.walk_pages(
            lambda page: self.call(req, 'GET', '/v2/images', params=page,
                                   errors={404: (exceptions.BadRequest, None)}),
            'images', params, limit=limit, max_pages=MAX_PAGES)

    def index(self, req):
        return self._list(req, False)

    def list_detail(self, req):
        return self._list(req, True)

    def show(self, req, id):
        return {'image': self.detail(req, self.image(req, id))}

    def delete(self, req, id):
        self.image(req, id)
        self.call(req, 'DELETE', '/v2/images/%s' % id, errors=NOT_FOUND)
        return base.no_content()

    # metadata ------------------------------------------------------------------------
    def _patch(self, req, image, ops):
        if ops:
            image = self.call(req, 'PATCH', '/v2/images/%s' % image['id'], body=ops,
                              headers={'Content-Type': PATCH_TYPE},
                              errors={404: NOT_FOUND[404]})
        return clients.image_properties(image)

    def _set(self, req, image, values, purge=False):
        props = clients.image_properties(image)
        after = dict(values) if purge else dict(props, **values)
        if len(after) > MAX_METADATA:
            raise exceptions.Forbidden('Image metadata limit exceeded: at most %d items.'
                                       % MAX_METADATA)
        # (the image service's own os_glance_* properties are not the user's to remove)
        ops = [{'op': 'remove', 'path': '/' + _pointer(k)} for k in props
               if k not in after and not k.startswith('os_glance_')]
        ops += [{'op': 'replace' if k in props else 'add', 'path': '/' + _pointer(k),
                 'value': v} for k, v in values.items() if props.get(k) != v]
        return self._patch(req, image, ops)

    def meta_index(self, req, image_id):
        return {'metadata': clients.image_properties(self.image(req, image_id))}

    def meta_show(self, req, image_id, key):
        props = clients.image_properties(self.image(req, image_id))
        if key not in props:
            raise exceptions.NotFound('Image metadata key %s not found.'
                                      % validators.quote(key))
        return {'meta': {key: props[key]}}

    def meta_create(self, req, image_id):
        image = self.image(req, image_id)
        values = base.body(req, META_BODY, 'metadata')
        return {'metadata': self._set(req, image, values)}

    def meta_update_all(self, req, image_id):
        image = self.image(req, image_id)
        values = base.body(req, META_BODY, 'metadata')
        self._set(req, image, values, purge=True)
        return {'metadata': values}

    def meta_update(self, req, image_id, key):
        image = self.image(req, image_id)
        meta = base.body(req, META_ITEM_BODY, 'meta')
        if key not in meta:
            raise exceptions.BadRequest('Request body and URI mismatch')
        self._set(req, image, meta)
        return {'meta': meta}

    def meta_delete(self, req, image_id, key):
        image = self.image(req, image_id)
        if key not in clients.image_properties(image):
            raise exceptions.NotFound('Image metadata key %s not found.'
                                      % validators.quote(key))
        self._patch(req, image, [{'op': 'remove', 'path': '/' + _pointer(key)}])
        return base.no_content()


def _pointer(key):
    """A property name as a JSON pointer segment (RFC 6901)."""
    return key.replace('~', '~0').replace('/', '~1')


def _time(value):
    """The image service's timestamp as Nova shows it ('2024-01-02T03:04:05Z')."""
    if not value:
        return value
    return value[:19] + 'Z' if len(value) >= 19 else value


def add_routes(add, state):
    im = Images(state)
    add('/images', im, {'GET': 'index'})
    add('/images/detail', im, {'GET': 'list_detail'})
    add('/images/{id}', im, {'GET': 'show', 'DELETE': 'delete'})
    add('/images/{image_id}/metadata', im,
        {'GET': 'meta_index', 'POST': 'meta_create', 'PUT': 'meta_update_all'})
    add('/images/{image_id}/metadata/{key}', im,
        {'GET': 'meta_show', 'PUT': 'meta_update', 'DELETE': 'meta_delete'})
