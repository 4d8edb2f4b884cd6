"""Images: list (paged), create with an upload that streams through to the image API
(the page shows its progress), delete."""
import webob

from common import client
from common import exceptions
from dashboard import app as app_mod
from dashboard import streaming

DISK_FORMATS = ('qcow2', 'raw', 'vmdk', 'vdi', 'iso', 'vhd', 'vhdx', 'ami', 'ari', 'aki',
                'ploop')
CONTAINER_FORMATS = ('bare', 'ovf', 'ova', 'aki', 'ari', 'ami', 'docker')
VISIBILITIES = ('private', 'shared', 'community', 'public')


class Images(app_mod.Page):
    def index(self, req):
        cloud = self.cloud(req)
        images, pager = self.table(req, cloud, 'image', '/v2/images', 'images')
        return self.render(req, 'images.html', images=images, disk_formats=DISK_FORMATS,
                           container_formats=CONTAINER_FORMATS,
                           visibilities=VISIBILITIES if app_mod.is_admin(self.session(req))
                           else VISIBILITIES[:3], **pager)

    def create(self, req):
        """Make the image record; answers its id as JSON (the page then sends the data)."""
        cloud = self.cloud(req)
        errors = {}
        name = app_mod.form_text(req, 'name', True, label='Name', errors=errors)
        disk = req.POST.get('disk_format', '')
        container = req.POST.get('container_format', 'bare')
        visibility = req.POST.get('visibility', 'private')
        if disk not in DISK_FORMATS:
            errors['disk_format'] = 'Choose a disk format.'
        if container not in CONTAINER_FORMATS:
            errors['container_format'] = 'Choose a container format.'
        if visibility not in VISIBILITIES:
            errors['visibility'] = 'Choose a visibility.'
        if errors:
            return webob.Response(status=400, json_body={'errors': errors})
        try:
            image = cloud.json('image', 'POST', '/v2/images', {
                'name': name, 'disk_format': disk, 'container_format': container,
                'visibility': visibility})
        except client.ClientError as exc:
            if exc.status == 401:
                raise
            return webob.Response(status=exc.status, json_body={
                'errors': {'form': exc.message}, 'request_id': exc.request_id})
        return webob.Response(status=201, json_body={'id': image['id']})

    def upload(self, req, id):
        """Stream the request body into the image; a failed upload deletes the image."""
        cloud = self.cloud(req)
        id = app_mod.path_id(id)
        body = streaming.request_body(req)
        try:
            cloud.client('image').request(
                'PUT', '/v2/images/%s/file' % id, data=body,
                headers={'Content-Type': 'application/octet-stream'})
        except (client.ClientError, streaming.ClientGone) as exc:
            try:
                cloud.json('image', 'DELETE', '/v2/images/%s' % id)
            except client.ClientError:
                pass
            if isinstance(exc, streaming.ClientGone):
                raise exceptions.BadRequest('The upload was cut short; the image was '
                                            'deleted.')
            return webob.Response(status=exc.status if exc.status < 500 else 502,
                                  json_body={'error': exc.message,
                                             'request_id': exc.request_id})
        self.flash(req, 'success', 'Image uploaded.')
        return webob.Response(status=200, json_body={'id': id, 'uploaded': body.read_bytes})

    def delete(self, req, id):
        cloud = self.cloud(req)
        return self.act(req, '/project/images', lambda: cloud.json(
            'image', 'DELETE', '/v2/images/%s' % app_mod.path_id(id)), 'Image deleted.')


def add_routes(add, app):
    i = Images(app)
    add('/project/images', i, {'GET': 'index', 'POST': 'create'})
    add('/project/images/{id}/data', i, {'PUT': 'upload'})
    add('/project/images/{id}/delete', i, {'POST': 'delete'})
