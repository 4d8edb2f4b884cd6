"""Object store: containers, their objects (pseudo-folders by '/'), upload streamed
through with progress shown by the page, download streamed back, delete."""
import urllib.parse

import webob

from common import client
from common import exceptions
from dashboard import app as app_mod
from dashboard import streaming

MAX_NAME = 1024


def _container(name):
    if not name or len(name) > 256 or '/' in name or name in ('.', '..'):
        raise exceptions.NotFound('No such container.')
    return name


def _object_name(req):
    name = req.GET.get('name', '') if req.method in ('GET', 'HEAD', 'PUT') else \
        req.POST.get('name', '')
    if not name or len(name.encode()) > MAX_NAME or any(ord(c) < 32 for c in name):
        raise exceptions.BadRequest('The object name is missing or not valid.')
    return name


class Containers(app_mod.Page):
    def index(self, req):
        cloud = self.cloud(req)
        containers, pager = self.table(req, cloud, 'object', '', marker_keys=('name',),
                                       format='json')
        return self.render(req, 'containers.html', containers=containers, **pager)

    def create(self, req):
        cloud = self.cloud(req)

        def run():
            name = app_mod.form_text(req, 'name', True, 256, 'Name')
            if '/' in name:
                raise exceptions.BadRequest('A container name has no "/".')
            headers = {}
            if req.POST.get('public') == 'on':
                headers['X-Container-Read'] = '.r:*,.rlistings'
            cloud.client('object').put('/' + app_mod.quote(name), headers=headers)
            return name
        return self.act(req, '/project/containers', run, lambda n: 'Container %s created.' % n)

    def delete(self, req, container):
        cloud = self.cloud(req)
        return self.act(req, '/project/containers', lambda: cloud.client('object').delete(
            '/' + app_mod.quote(_container(container))), 'Container deleted.')

    def objects(self, req, container):
        cloud = self.cloud(req)
        container = _container(container)
        prefix = req.GET.get('prefix', '')
        items, pager = self.table(req, cloud, 'object', '/' + app_mod.quote(container),
                                  marker_keys=('name', 'subdir'), format='json',
                                  prefix=prefix, delimiter='/')
        return self.render(req, 'objects.html', container=container, items=items,
                           prefix=prefix, parent=_parent(prefix), **pager)

    def upload(self, req, container):
        cloud = self.cloud(req)
        container = _container(container)
        name = _object_name(req)
        body = streaming.request_body(req)
        headers = {'Content-Type': req.headers.get('X-Object-Content-Type') or
                   'application/octet-stream'}
        if '\n' in headers['Content-Type'] or len(headers['Content-Type']) > 255:
            raise exceptions.BadRequest('The content type is not valid.')
        try:
            cloud.client('object').put('/%s/%s' % (app_mod.quote(container),
                                                   app_mod.quote(name)),
                                       data=body, headers=headers)
        except streaming.ClientGone:
            raise exceptions.BadRequest('The upload was cut short.')
        except client.ClientError as exc:
            if exc.status == 401:
                raise
            return webob.Response(status=exc.status if exc.status < 500 else 502,
                                  json_body={'error': exc.message,
                                             'request_id': exc.request_id})
        self.flash(req, 'success', 'Uploaded %s.' % name)
        return webob.Response(status=201, json_body={'name': name,
                                                     'uploaded': body.read_bytes})

    def download(self, req, container):
        cloud = self.cloud(req)
        container = _container(container)
        name = _object_name(req)
        resp = cloud.client('object').get('/%s/%s' % (app_mod.quote(container),
                                                      app_mod.quote(name)), stream=True)
        out = webob.Response(app_iter=streaming.response_body(resp),
                             content_type='application/octet-stream')
        if resp.headers.get('Content-Length'):
            out.content_length = int(resp.headers['Content-Length'])
        filename = name.rsplit('/', 1)[-1]
        out.headers['Content-Disposition'] = "attachment; filename*=UTF-8''%s" % \
            urllib.parse.quote(filename, safe='')
        return out

    def delete_object(self, req, container):
        cloud = self.cloud(req)
        container = _container(container)
        name = _object_name(req)
        back = '/project/containers/%s?%s' % (app_mod.quote(container), urllib.parse.urlencode(
            {'prefix': _parent(name) or ''}))
        return self.act(req, back, lambda: cloud.client('object').delete(
            '/%s/%s' % (app_mod.quote(container), app_mod.quote(name))),
            'Deleted %s.' % name)


def _parent(prefix):
    """The pseudo-folder above ``prefix`` ('' at the top, None when already there)."""
    if not prefix:
        return None
    head = prefix.rstrip('/').rpartition('/')[0]
    return head + '/' if head else ''


def add_routes(add, app):
    c = Containers(app)
    add('/project/containers', c, {'GET': 'index', 'POST': 'create'})
    add('/project/containers/{container}', c, {'GET': 'objects'})
    add('/project/containers/{container}/delete', c, {'POST': 'delete'})
    add('/project/containers/{container}/object', c, {'GET': 'download', 'PUT': 'upload'})
    add('/project/containers/{container}/object/delete', c, {'POST': 'delete_object'})
