"""Tasks (/v2/tasks, /v2/images/{id}/tasks): the import jobs as Glance's task API shows
them, and the legacy ``import`` task that creates an image from an http(s) URL."""
import urllib.parse

from common import exceptions
from common import validation
from common.wsgi import listing
from common.wsgi import middleware
from common.wsgi import response as wsgi_response
from image import formats
from image.api import images
from image.api import views
from image.db import api as image_db

STATUSES = ('pending', 'processing', 'success', 'failure')
TYPES = ('import', 'api_image_import')

CREATE = {
    'type': 'object',
    'required': ['type', 'input'],
    'additionalProperties': False,
    'properties': {
        'type': {'type': 'string', 'enum': ['import']},
        'input': {
            'type': 'object',
            'required': ['import_from', 'import_from_format', 'image_properties'],
            'additionalProperties': False,
            'properties': {
                'import_from': {'type': 'string', 'minLength': 1, 'maxLength': 2048,
                                'format': 'name'},
                'import_from_format': {'type': 'string', 'enum': list(formats.DISK_FORMATS)},
                'image_properties': {'type': 'object'},
            },
        },
    },
}


def _schema(name, summary):
    fields = {'id': {'type': 'string'}, 'type': {'type': 'string', 'enum': list(TYPES)},
              'status': {'type': 'string', 'enum': list(STATUSES)},
              'owner': {'type': ['null', 'string']},
              'expires_at': {'type': ['null', 'string']},
              'created_at': {'type': 'string'}, 'updated_at': {'type': 'string'},
              'self': {'type': 'string'}, 'schema': {'type': 'string'}}
    if not summary:
        fields.update({'input': {'type': 'object'}, 'result': {'type': ['null', 'object']},
                       'message': {'type': 'string'}, 'image_id': {'type': 'string'},
                       'request_id': {'type': 'string'}, 'user_id': {'type': 'string'}})
    return {'name': name, 'type': 'object', 'properties': fields}


def task_schema():
    return _schema('task', summary=False)


def tasks_schema():
    return {'name': 'tasks', 'type': 'object',
            'properties': {'tasks': {'type': 'array', 'items': _schema('task', True)},
                           'first': {'type': 'string'}, 'next': {'type': 'string'},
                           'schema': {'type': 'string'}}}


def task_doc(task, summary=False):
    doc = {'id': task['id'], 'type': task['type'], 'status': task['status'],
           'owner': task['owner'], 'expires_at': views.timestamp(task['expires_at']),
           'created_at': views.timestamp(task['created_at']),
           'updated_at': views.timestamp(task['updated_at']),
           'self': '/v2/tasks/%s' % task['id'], 'schema': '/v2/schemas/task'}
    if not summary:
        doc.update({k: task[k] for k in ('input', 'result', 'message', 'image_id',
                                         'request_id', 'user_id')})
    return doc


def _check_url(url):
    """Only http(s) URLs naming a host are fetched."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ('http', 'https') or not parts.hostname:
        raise exceptions.BadRequest('import_from must be an http or https URL naming a host, '
                                    'not %s.' % url[:200])
    try:
        parts.port
    except ValueError:
        raise exceptions.BadRequest('import_from names an invalid port: %s.' % url[:200])


class TasksController:
    def __init__(self, engine):
        self.engine = engine

    def index(self, req):
        ctx = middleware.get_context(req)
        self.engine.authorize(ctx, 'get_tasks', owner=ctx.project_id)
        filters = {}
        for name, known in (('status', STATUSES), ('type', TYPES)):
            value = listing.single(req, name)
            if value is not None:
                if value not in known:
                    raise exceptions.BadRequest('Invalid %s value: %s (known: %s).'
                                                % (name, value, ', '.join(known)))
                filters[name] = [value]
        sorts = listing.sort_spec(req, image_db.TASK_SORT_KEYS)
        conf = self.engine.conf
        limit = listing.page_limit(req, conf.limit_param_default, conf.api_limit_max)
        found = image_db.list_tasks(self.engine.db, ctx, filters, sorts, limit,
                                    req.GET.get('marker')) if limit else []
        body = {'tasks': [task_doc(t, summary=True) for t in found],
                'schema': '/v2/schemas/tasks'}
        body.update(listing.first_next_links(req, '/v2/tasks',
                                             found[-1]['id'] if found else None,
                                             limit and len(found) == limit))
        return body

    def show(self, req, task_id):
        ctx = middleware.get_context(req)
        task = image_db.get_task(self.engine.db, ctx, task_id)
        self.engine.authorize(ctx, 'get_task', owner=task['owner'])
        return task_doc(task)

    def create(self, req):
        ctx = middleware.get_context(req)
        body = validation.validate(CREATE, wsgi_response.json_body(req))
        self.engine.authorize(ctx, 'add_task', owner=ctx.project_id)
        task_input = body['input']
        _check_url(task_input['import_from'])
        props = dict(task_input['image_properties'])
        props.setdefault('disk_format', task_input['import_from_format'])
        image = images.create_image(self.engine, ctx, props)
        if not image['disk_format'] or not image['container_format']:
            raise exceptions.BadRequest('image_properties must give container_format (and '
                                        'disk_format, or import_from_format gives it).')
        task = self.engine.imports.submit_download(ctx, image['id'], task_input)
        return wsgi_response.json_response(task_doc(task), status=201)

    def image_tasks(self, req, image_id):
        ctx = middleware.get_context(req)
        image, tasks = image_db.image_tasks(self.engine.db, ctx, image_id)
        self.engine.authorize(ctx, 'get_image', image)
        return {'tasks': [task_doc(t) for t in tasks]}
