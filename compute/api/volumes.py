"""os-volumes and os-snapshots (Nova API up to 2.35): block storage's volumes and snapshots
in Nova's view, with the caller's own token."""
from common import exceptions
from common import validators
from compute.api import base
from compute.api import proxy
from compute.api import schemas

TEXT = {'type': 'string', 'maxLength': 255}
VOLUME_BODY = {
    'type': 'object', 'required': ['volume'], 'additionalProperties': True,
    'properties': {'volume': {
        'type': 'object', 'required': ['size'], 'additionalProperties': True,
        'properties': {'volume_type': TEXT, 'metadata': {'type': 'object'},
                       'snapshot_id': TEXT, 'availability_zone': TEXT,
                       'display_name': TEXT, 'display_description': TEXT,
                       'size': {'type': ['integer', 'string'], 'pattern': '^[0-9]+$',
                                'minimum': 1}}}}}
SNAPSHOT_BODY = {
    'type': 'object', 'required': ['snapshot'], 'additionalProperties': True,
    'properties': {'snapshot': {
        'type': 'object', 'required': ['volume_id'], 'additionalProperties': True,
        'properties': {'volume_id': TEXT, 'force': schemas.BOOLEAN,
                       'display_name': TEXT, 'display_description': TEXT}}}}
# Block storage's answers as Nova gives them: over quota (413) is a 403.
CREATE_ERRORS = {413: (exceptions.Forbidden, None), 409: (exceptions.BadRequest, None)}
DELETE_ERRORS = {409: (exceptions.BadRequest, None)}


def _limited(req, items):
    """Nova's offset/limit slicing of a list it fetched whole."""
    offset = base.int_param(req, 'offset', 0, minimum=0)
    limit, _ = base.limit_marker(req)
    return items[offset:offset + limit if limit is not None else None]


def volume_view(vol):
    attachments = [{'id': vol['id'], 'volumeId': vol['id'], 'serverId': a.get('server_id'),
                    'device': a.get('device')}
                   for a in vol.get('attachments') or [] if a.get('server_id')]
    return {'id': vol['id'], 'status': vol.get('status'), 'size': vol.get('size'),
            'availabilityZone': vol.get('availability_zone'),
            'createdAt': vol.get('created_at'), 'attachments': attachments or [{}],
            'displayName': vol.get('name'), 'displayDescription': vol.get('description'),
            'volumeType': vol.get('volume_type'), 'snapshotId': vol.get('snapshot_id'),
            'metadata': vol.get('metadata') or {}}


def snapshot_view(snap):
    return {'id': snap['id'], 'volumeId': snap.get('volume_id'), 'status': snap.get('status'),
            'size': snap.get('size'), 'createdAt': snap.get('created_at'),
            'displayName': snap.get('name'), 'displayDescription': snap.get('description')}


class _BlockStorage(proxy.ProxyController):
    SERVICE = 'volume'
    RULE = KIND = COLLECTION = None
    VIEW = None

    def _path(self, id):
        try:
            validators.uuid(str(id))
        except validators.InvalidValue:
            raise exceptions.NotFound('%s %s could not be found.'
                                      % (self.KIND, validators.quote(id)))
        return '/%s/%s' % (self.COLLECTION, id)

    def _list(self, req, rule):
        """Nova shows the same view in both lists."""
        self.gate(req)
        self.authorize(req, '%s:%s' % (self.RULE, rule))
        items = self.call(req, 'GET', '/%s/detail' % self.COLLECTION)[self.COLLECTION]
        return {self.COLLECTION: [self.VIEW(i) for i in _limited(req, items)]}

    def index(self, req):
        return self._list(req, 'list')

    def list_detail(self, req):
        return self._list(req, 'detail')

    def show(self, req, id):
        self.gate(req)
        self.authorize(req, '%s:show' % self.RULE)
        item = self.call(req, 'GET', self._path(id))[self.KIND.lower()]
        return {self.KIND.lower(): self.VIEW(item)}

    def _create_body(self, req, schema):
        self.gate(req)
        self.authorize(req, '%s:create' % self.RULE)
        return base.body(req, schema, self.KIND.lower())

    def delete(self, req, id):
        self.gate(req)
        self.authorize(req, '%s:delete' % self.RULE)
        self.call(req, 'DELETE', self._path(id), errors=DELETE_ERRORS)
        return base.accepted()


class Volumes(_BlockStorage):
    RULE, KIND, COLLECTION = 'os-volumes', 'Volume', 'volumes'
    VIEW = staticmethod(volume_view)

    def create(self, req):
        data = self._create_body(req, VOLUME_BODY)
        size = int(data['size'])
        if size < 1:
            raise exceptions.BadRequest("Invalid input for field 'size': must be 1 or more.")
        values = {'size': size, 'name': data.get('display_name'),
                  'description': data.get('display_description'),
                  'metadata': data.get('metadata') or {}}
        for key, dest in (('volume_type', 'volume_type'), ('snapshot_id', 'snapshot_id'),
                          ('availability_zone', 'availability_zone')):
            if data.get(key):
                values[dest] = data[key]
        vol = self.call(req, 'POST', '/volumes', body={'volume': values},
                        errors=CREATE_ERRORS)['volume']
        return base.created({'volume': volume_view(vol)},
                            headers={'Location': self.url(req, 'os-volumes', vol['id'])})


class Snapshots(_BlockStorage):
    RULE, KIND, COLLECTION = 'os-volumes:snapshots', 'Snapshot', 'snapshots'
    VIEW = staticmethod(snapshot_view)

    def create(self, req):
        data = self._create_body(req, SNAPSHOT_BODY)
        values = {'volume_id': data['volume_id'], 'name': data.get('display_name'),
                  'description': data.get('display_description'),
                  'force': schemas.truthy(data.get('force', False))}
        snap = self.call(req, 'POST', '/snapshots', body={'snapshot': values},
                         errors=CREATE_ERRORS)['snapshot']
        return {'snapshot': snapshot_view(snap)}


def add_routes(add, state):
    for ctrl, path in ((Volumes(state), '/os-volumes'), (Snapshots(state), '/os-snapshots')):
        add(path, ctrl, {'GET': 'index', 'POST': 'create'})
        add(path + '/detail', ctrl, {'GET': 'list_detail'})
        add(path + '/{id}', ctrl, {'GET': 'show', 'DELETE': 'delete'})
