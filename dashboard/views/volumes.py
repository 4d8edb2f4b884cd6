"""Volumes: list (paged), create (blank or from an image), delete."""
from dashboard import app as app_mod


class Volumes(app_mod.Page):
    def index(self, req):
        cloud = self.cloud(req)
        volumes, pager = self.table(req, cloud, 'volume', '/volumes/detail', 'volumes')
        images = cloud.get('image', '/v2/images', status='active', limit=200)['images']
        return self.render(req, 'volumes.html', volumes=volumes, images=images, **pager)

    def create(self, req):
        cloud = self.cloud(req)

        def run():
            volume = {'name': app_mod.form_text(req, 'name', True, label='Name'),
                      'size': app_mod.form_int(req, 'size', 'Size (GiB)', 1, 16384),
                      'description': app_mod.form_text(req, 'description',
                                                       label='Description')}
            image = req.POST.get('image', '')
            if image:
                volume['imageRef'] = app_mod.path_id(image)
            return cloud.json('volume', 'POST', '/volumes', {'volume': volume})['volume']
        return self.act(req, '/project/volumes', run,
                        lambda v: 'Creating volume %s.' % v['name'])

    def delete(self, req, id):
        cloud = self.cloud(req)
        return self.act(req, '/project/volumes', lambda: cloud.json(
            'volume', 'DELETE', '/volumes/%s' % app_mod.path_id(id)), 'Deleting the volume.')


def add_routes(add, app):
    v = Volumes(app)
    add('/project/volumes', v, {'GET': 'index', 'POST': 'create'})
    add('/project/volumes/{id}/delete', v, {'POST': 'delete'})
