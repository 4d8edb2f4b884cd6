"""Volumes: list (paged, with live status and the servers they are attached to), create
(blank or from an image), delete, attach to and detach from a server (compute's
os-volume_attachments API), and each volume's snapshots (list, create, delete)."""
import webob

from common import client
from common import exceptions
from dashboard import app as app_mod

# Statuses after which nothing changes unless someone acts: the pages stop polling.
STABLE = ('available', 'in-use', 'error', 'error_deleting', 'error_restoring',
          'error_extending', 'error_managing', 'deleted')
MAX_POLLED_IDS = 50


def server_names(cloud):
    """{server id: name} of the project's servers, {} when compute does not answer (the
    volumes are still worth showing without the names)."""
    try:
        servers = cloud.get('compute', '/servers', limit=1000)['servers']
    except client.ClientError as exc:
        if exc.status == 401:
            raise
        return {}
    return {s['id']: s.get('name') or s['id'] for s in servers}


def attachment_lines(volume, names=None):
    """'server (device)' lines of a volume's attachments."""
    lines = []
    for a in volume.get('attachments') or []:
        server = a.get('server_id') or ''
        label = (names or {}).get(server, server)
        lines.append('%s (%s)' % (label, a['device']) if a.get('device') else label)
    return lines


def volume_row(volume, names=None):
    return {'id': volume['id'], 'name': volume.get('name') or '',
            'status': volume.get('status'), 'size': volume.get('size'),
            'attachments': [{'server_id': a.get('server_id'), 'device': a.get('device'),
                             'server': (names or {}).get(a.get('server_id'),
                                                          a.get('server_id'))}
                            for a in volume.get('attachments') or []],
            'attached': attachment_lines(volume, names),
            'stable': volume.get('status') in STABLE}


def snapshot_row(snapshot):
    return {'id': snapshot['id'], 'name': snapshot.get('name') or '',
            'status': snapshot.get('status'), 'size': snapshot.get('size'),
            'description': snapshot.get('description') or '',
            'created': snapshot.get('created_at'),
            'stable': snapshot.get('status') in STABLE}


class Volumes(app_mod.Page):
    def index(self, req):
        cloud = self.cloud(req)
        volumes, pager = self.table(req, cloud, 'volume', '/volumes/detail', 'volumes')
        try:
            images = cloud.get('image', '/v2/images', status='active', limit=200)['images']
        except client.ClientError as exc:
            if exc.status == 401:
                raise
            images = []      # blank volumes can still be made
        names = server_names(cloud)
        rows = [volume_row(v, names) for v in volumes]
        servers = sorted(({'id': k, 'name': v} for k, v in names.items()),
                         key=lambda s: (s['name'], s['id']))
        return self.render(req, 'volumes.html', volumes=rows, images=images,
                           servers=servers, **pager)

    def status(self, req):
        """Volumes as JSON for the pages' polling script: the ids asked for (``id``, the
        server page's volumes), or the volumes page's current page."""
        cloud = self.cloud(req)
        ids = req.GET.getall('id')
        if len(ids) > MAX_POLLED_IDS:
            raise exceptions.BadRequest('At most %d ids.' % MAX_POLLED_IDS)
        if ids:
            volumes = []
            for vid in ids:
                try:
                    volumes.append(cloud.get('volume', '/volumes/%s'
                                             % app_mod.path_id(vid))['volume'])
                except client.ClientError as exc:
                    if exc.status != 404:
                        raise
        else:
            volumes, _pager = self.table(req, cloud, 'volume', '/volumes/detail', 'volumes')
        names = server_names(cloud)
        body = {v['id']: {k: val for k, val in volume_row(v, names).items()
                          if k in ('status', 'attached', 'stable', 'name')}
                for v in volumes}
        return webob.Response(json_body={'volumes': body}, cache_control='no-store')

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

    # attachments -------------------------------------------------------------------------
    def _attach_or_detach(self, req, method, server, volume, back):
        """One call to compute's os-volume_attachments; its error is flashed on ``back``."""
        cloud = self.cloud(req)

        def run():
            if not server:
                raise exceptions.BadRequest('Choose a server.')
            if not volume:
                raise exceptions.BadRequest('Choose a volume.')
            path = '/servers/%s/os-volume_attachments' % app_mod.path_id(server)
            if method == 'DELETE':
                return cloud.json('compute', 'DELETE', '%s/%s' % (path, volume))
            return cloud.json('compute', 'POST', path,
                              {'volumeAttachment': {'volumeId': volume}})
        return self.act(req, back, run, 'Attaching the volume.' if method == 'POST'
                        else 'Detaching the volume.')

    def attach(self, req, id):
        """Attach this volume to the server chosen in the volumes page's form."""
        return self._attach_or_detach(req, 'POST', req.POST.get('server_id', ''),
                                      app_mod.path_id(id), '/project/volumes')

    def attach_to_server(self, req, id):
        """Attach the volume chosen in a server page's form to that server."""
        volume = req.POST.get('volume_id', '')
        return self._attach_or_detach(req, 'POST', id, volume and app_mod.path_id(volume),
                                      '/project/servers/%s' % app_mod.path_id(id))

    def detach(self, req, id):
        """Detach this volume from the server named in the form; back to the server's page
        when the form was there."""
        server = req.POST.get('server_id', '')
        back = '/project/volumes'
        if req.POST.get('from') == 'server' and server:
            back = '/project/servers/%s' % app_mod.path_id(server)
        return self._attach_or_detach(req, 'DELETE', server, app_mod.path_id(id), back)

    # snapshots ---------------------------------------------------------------------------
    def snapshots(self, req, id):
        cloud = self.cloud(req)
        volume = cloud.get('volume', '/volumes/%s' % app_mod.path_id(id))['volume']
        snapshots, pager = self.table(req, cloud, 'volume', '/snapshots/detail', 'snapshots',
                                      volume_id=volume['id'])
        return self.render(req, 'volume_snapshots.html', volume=volume_row(volume),
                           snapshots=[snapshot_row(s) for s in snapshots], **pager)

    def snapshots_status(self, req, id):
        """The volume's snapshots as JSON for the snapshots page's polling script."""
        cloud = self.cloud(req)
        snapshots, _pager = self.table(req, cloud, 'volume', '/snapshots/detail',
                                       'snapshots', volume_id=app_mod.path_id(id))
        body = {s['id']: {k: v for k, v in snapshot_row(s).items()
                          if k in ('status', 'stable', 'name')} for s in snapshots}
        return webob.Response(json_body={'snapshots': body}, cache_control='no-store')

    def create_snapshot(self, req, id):
        cloud = self.cloud(req)
        volume_id = app_mod.path_id(id)
        back = '/project/volumes/%s/snapshots' % volume_id

        def run():
            snapshot = {'volume_id': volume_id,
                        'name': app_mod.form_text(req, 'name', True, label='Name'),
                        'description': app_mod.form_text(req, 'description',
                                                         label='Description'),
                        # A snapshot of an attached volume needs force (cinder's rule).
                        'force': req.POST.get('force') == 'yes'}
            return cloud.json('volume', 'POST', '/snapshots',
                              {'snapshot': snapshot})['snapshot']
        return self.act(req, back, run, lambda s: 'Creating snapshot %s.' % s.get('name'))

    def delete_snapshot(self, req, id, snapshot_id):
        cloud = self.cloud(req)
        back = '/project/volumes/%s/snapshots' % app_mod.path_id(id)
        return self.act(req, back, lambda: cloud.json(
            'volume', 'DELETE', '/snapshots/%s' % app_mod.path_id(snapshot_id)),
            'Deleting the snapshot.')


def add_routes(add, app):
    v = Volumes(app)
    add('/project/volumes', v, {'GET': 'index', 'POST': 'create'})
    add('/project/volumes/status.json', v, {'GET': 'status'})
    add('/project/volumes/{id}/delete', v, {'POST': 'delete'})
    add('/project/volumes/{id}/attach', v, {'POST': 'attach'})
    add('/project/volumes/{id}/detach', v, {'POST': 'detach'})
    add('/project/servers/{id}/volumes', v, {'POST': 'attach_to_server'})
    add('/project/volumes/{id}/snapshots', v, {'GET': 'snapshots', 'POST': 'create_snapshot'})
    add('/project/volumes/{id}/snapshots/status.json', v, {'GET': 'snapshots_status'})
    add('/project/volumes/{id}/snapshots/{snapshot_id}/delete', v,
        {'POST': 'delete_snapshot'})
