"""Servers (list with live status, launch, actions, console log, noVNC link) and key pairs."""
import json
import re

import webob

from common import client
from common import exceptions
from dashboard import app as app_mod
from dashboard import cloud as cloud_mod
from dashboard.views import volumes as volumes_view

ACTIONS = {
    'start': ({'os-start': None}, 'Starting'),
    'stop': ({'os-stop': None}, 'Stopping'),
    'reboot': ({'reboot': {'type': 'SOFT'}}, 'Rebooting'),
    'hard_reboot': ({'reboot': {'type': 'HARD'}}, 'Hard rebooting'),
}
# Statuses after which nothing changes unless someone acts: the page stops polling.
STABLE = ('ACTIVE', 'SHUTOFF', 'ERROR', 'DELETED', 'SUSPENDED', 'PAUSED', 'SHELVED',
          'SHELVED_OFFLOADED', 'RESCUE', 'VERIFY_RESIZE')
KEYPAIR_NAME = re.compile(r'^[A-Za-z0-9 _.@-]{1,255}$')
MAX_USER_DATA = 65535


def addresses(server):
    """'net: 10.0.0.3, 172.24.4.5 (floating)' lines of a server."""
    out = []
    for net, addrs in sorted((server.get('addresses') or {}).items()):
        parts = []
        for a in addrs:
            kind = a.get('OS-EXT-IPS:type')
            parts.append(a['addr'] + (' (floating)' if kind == 'floating' else ''))
        out.append('%s: %s' % (net, ', '.join(parts)))
    return out


def server_row(server, flavors=None, images=None):
    flavor = server.get('flavor') or {}
    image = server.get('image') or {}
    return {
        'id': server['id'], 'name': server.get('name') or '',
        'status': server.get('status'), 'task_state': server.get('OS-EXT-STS:task_state'),
        'power_state': server.get('OS-EXT-STS:power_state'),
        'addresses': addresses(server),
        'flavor': (flavors or {}).get(flavor.get('id'), flavor.get('id', '')),
        'image': (images or {}).get(image.get('id'), image.get('id', '')) if image else '',
        'created': server.get('created'), 'key_name': server.get('key_name'),
        'stable': server.get('status') in STABLE and not server.get('OS-EXT-STS:task_state'),
    }


class Servers(app_mod.Page):
    def _flavor_names(self, cloud):
        return {f['id']: f['name'] for f in cloud.get('compute', '/flavors')['flavors']}

    def index(self, req):
        cloud = self.cloud(req)
        servers, pager = self.table(req, cloud, 'compute', '/servers/detail', 'servers')
        flavors = self._flavor_names(cloud)
        rows = [server_row(s, flavors) for s in servers]
        return self.render(req, 'servers.html', servers=rows, **pager)

    def status(self, req):
        """The current page's servers as JSON, for the page's polling script."""
        servers, _pager = self.table(req, self.cloud(req), 'compute', '/servers/detail',
                                     'servers')
        body = {s['id']: {k: v for k, v in server_row(s).items()
                          if k in ('status', 'task_state', 'addresses', 'stable', 'name')}
                for s in servers}
        return webob.Response(json_body={'servers': body}, cache_control='no-store')

    def detail(self, req, id):
        cloud = self.cloud(req)
        server = cloud.get('compute', '/servers/%s' % app_mod.path_id(id))['server']
        row = server_row(server, self._flavor_names(cloud))
        actions = []
        try:
            actions = cloud.get('compute', '/servers/%s/os-instance-actions' % id).get(
                'instanceActions', [])
        except client.ClientError:
            pass
        attached, available = self._volumes(cloud, id)
        return self.render(req, 'server_detail.html', server=row, raw=server,
                           events=actions, attached=attached, available=available)

    @staticmethod
    def _volumes(cloud, id):
        """(the server's attachments with their volumes' names and statuses, the project's
        available volumes): empty when compute or block storage does not answer, so the
        rest of the page still shows."""
        try:
            attachments = cloud.get('compute', '/servers/%s/os-volume_attachments'
                                    % id).get('volumeAttachments', [])
        except client.ClientError as exc:
            if exc.status == 401:
                raise
            attachments = []
        try:
            volumes = cloud.get('volume', '/volumes/detail', limit=1000)['volumes']
        except client.ClientError as exc:
            if exc.status == 401:
                raise
            volumes = []
        by_id = {v['id']: v for v in volumes}
        attached = []
        for a in attachments:
            volume = by_id.get(a.get('volumeId'), {})
            attached.append({'volume_id': a.get('volumeId'), 'device': a.get('device'),
                             'name': volume.get('name') or a.get('volumeId'),
                             'status': volume.get('status', ''),
                             'stable': volume.get('status') in volumes_view.STABLE})
        available = [{'id': v['id'], 'name': v.get('name') or v['id']} for v in volumes
                     if v.get('status') == 'available']
        return attached, available

    def console_log(self, req, id):
        cloud = self.cloud(req)
        length = req.GET.get('length', '200')
        if not length.isdigit() or not 0 < int(length) <= 10000:
            length = '200'
        out = cloud.json('compute', 'POST', '/servers/%s/action' % app_mod.path_id(id),
                         {'os-getConsoleOutput': {'length': int(length)}})
        server = cloud.get('compute', '/servers/%s' % id)['server']
        return self.render(req, 'console_log.html', server=server_row(server),
                           output=out.get('output', ''), length=length)

    def vnc(self, req, id):
        cloud = self.cloud(req)
        body = cloud.json('compute', 'POST', '/servers/%s/remote-consoles' % app_mod.path_id(id),
                          {'remote_console': {'protocol': 'vnc', 'type': 'novnc'}},
                          headers={'OpenStack-API-Version': 'compute 2.6'})
        url = (body.get('remote_console') or {}).get('url', '')
        if not url.startswith(('http://', 'https://')):
            return self.app.error_page(req, 502, 'Compute answered no console URL.')
        return self.redirect(url)

    def action(self, req, id):
        cloud = self.cloud(req)
        name = req.POST.get('action', '')
        back = '/project/servers/%s' % app_mod.path_id(id) if req.POST.get('from') == 'detail' \
            else '/project/servers'
        if name == 'delete':
            return self.act(req, '/project/servers',
                            lambda: cloud.json('compute', 'DELETE', '/servers/%s' % id),
                            'Deleting the server.')
        if name not in ACTIONS:
            self.flash(req, 'error', 'Unknown action.')
            return self.redirect(back)
        body, verb = ACTIONS[name]
        return self.act(req, back, lambda: cloud.json('compute', 'POST',
                                                      '/servers/%s/action' % id, body),
                        '%s the server.' % verb)

    # launch ----------------------------------------------------------------------------
    def _choices(self, cloud):
        images = cloud.get('image', '/v2/images', status='active', limit=200)['images']
        flavors = cloud.get('compute', '/flavors/detail')['flavors']
        networks = cloud.get('network', '/v2.0/networks')['networks']
        keypairs = [k['keypair'] for k in cloud.get('compute', '/os-keypairs')['keypairs']]
        groups = cloud.get('network', '/v2.0/security-groups',
                           project_id=cloud.project_id)['security_groups']
        return {'images': images, 'flavors': sorted(flavors, key=lambda f: (f['ram'],
                                                                            f['name'])),
                'networks': [n for n in networks if not n.get('router:external') or
                             n.get('shared')],
                'keypairs': keypairs, 'groups': groups}

    def launch_form(self, req):
        choices = self._choices(self.cloud(req))
        return self.render(req, 'server_launch.html', errors={}, values={
            'security_groups': ['default']}, **choices)

    def launch(self, req):
        cloud = self.cloud(req)
        choices = self._choices(cloud)
        errors = {}
        values = {
            'name': app_mod.form_text(req, 'name', True, label='Name', errors=errors),
            'image': req.POST.get('image', ''), 'flavor': req.POST.get('flavor', ''),
            'network': req.POST.get('network', ''), 'key_name': req.POST.get('key_name', ''),
            'security_groups': req.POST.getall('security_groups'),
            'user_data': req.POST.get('user_data', ''),
            'count': app_mod.form_int(req, 'count', 'Count', 1, 10, required=False,
                                      errors=errors) or 1,
        }
        if values['image'] not in {i['id'] for i in choices['images']}:
            errors['image'] = 'Choose an image.'
        if values['flavor'] not in {f['id'] for f in choices['flavors']}:
            errors['flavor'] = 'Choose a flavor.'
        if values['network'] and values['network'] not in {n['id'] for n in
                                                           choices['networks']}:
            errors['network'] = 'Choose one of the networks.'
        if values['key_name'] and values['key_name'] not in {k['name'] for k in
                                                             choices['keypairs']}:
            errors['key_name'] = 'Choose one of your key pairs.'
        names = {g['name'] for g in choices['groups']}
        if any(g not in names for g in values['security_groups']):
            errors['security_groups'] = 'Choose among your security groups.'
        if len(values['user_data'].encode()) > MAX_USER_DATA:
            errors['user_data'] = 'User data is larger than %d bytes.' % MAX_USER_DATA
        if not errors:
            server = {'name': values['name'], 'imageRef': values['image'],
                      'flavorRef': values['flavor'],
                      'networks': [{'uuid': values['network']}] if values['network']
                      else 'auto',
                      'min_count': values['count'], 'max_count': values['count']}
            if values['key_name']:
                server['key_name'] = values['key_name']
            if values['security_groups']:
                server['security_groups'] = [{'name': g} for g in values['security_groups']]
            if values['user_data']:
                server['user_data'] = cloud_mod.user_data(values['user_data'])
            try:
                cloud.json('compute', 'POST', '/servers', {'server': server},
                           headers={'OpenStack-API-Version': 'compute 2.37'})
            except client.ClientError as exc:
                if exc.status == 401:
                    raise
                errors['form'] = exc.message
                errors['request_id'] = exc.request_id
            else:
                self.flash(req, 'success', 'Launching %s.' % values['name'])
                return self.redirect('/project/servers')
        return self.render(req, 'server_launch.html', status=400, errors=errors,
                           values=values, **choices)


class KeyPairs(app_mod.Page):
    def index(self, req):
        cloud = self.cloud(req)
        keypairs = [k['keypair'] for k in cloud.get('compute', '/os-keypairs')['keypairs']]
        session = self.session(req)
        pending = session.get('private_key_name')
        return self.render(req, 'keypairs.html', keypairs=keypairs, pending=pending,
                           errors={})

    def _name(self, req):
        name = req.POST.get('name', '').strip()
        if not KEYPAIR_NAME.match(name):
            raise exceptions.BadRequest('A key pair name is 1-255 letters, digits, spaces and _ . @ -')
        return name

    def create(self, req):
        cloud = self.cloud(req)
        session = self.session(req)
        try:
            name = self._name(req)
            body = cloud.json('compute', 'POST', '/os-keypairs', {'keypair': {'name': name}})
        except client.ClientError as exc:
            if exc.status == 401:
                raise
            self.flash(req, 'error', exc.message, exc.request_id)
            return self.redirect('/project/keypairs')
        except exceptions.BadRequest as exc:
            self.flash(req, 'error', exc.message)
            return self.redirect('/project/keypairs')
        # Shown once: the private key waits in this session until it is downloaded.
        session.set('private_key_name', name)
        session.set('private_key', body['keypair'].get('private_key', ''))
        self.flash(req, 'success', 'Key pair %s created: download its private key now; '
                                   'it is not kept anywhere else.' % name)
        return self.redirect('/project/keypairs')

    def download(self, req):
        session = self.session(req)
        name = session.get('private_key_name')
        key = session.get('private_key')
        if not name or not key:
            return self.app.error_page(req, 404, 'There is no private key to download: '
                                                 'it can be downloaded once only.')
        session.pop('private_key_name')
        session.pop('private_key')
        session.modified = True
        safe = re.sub(r'[^A-Za-z0-9_.-]', '_', name)
        resp = webob.Response(body=key.encode(), content_type='application/x-pem-file')
        resp.headers['Content-Disposition'] = 'attachment; filename="%s.pem"' % safe
        return resp

    def import_key(self, req):
        cloud = self.cloud(req)
        try:
            name = self._name(req)
            public_key = req.POST.get('public_key', '').strip()
            if not public_key or len(public_key) > 16384:
                raise exceptions.BadRequest('Paste an OpenSSH public key.')
        except exceptions.BadRequest as exc:
            self.flash(req, 'error', exc.message)
            return self.redirect('/project/keypairs')
        return self.act(req, '/project/keypairs', lambda: cloud.json(
            'compute', 'POST', '/os-keypairs', {'keypair': {'name': name,
                                                            'public_key': public_key}}),
            'Key pair %s imported.' % name)

    def delete(self, req, name):
        cloud = self.cloud(req)
        return self.act(req, '/project/keypairs', lambda: cloud.json(
            'compute', 'DELETE', '/os-keypairs/%s' % app_mod.quote(name)), 'Key pair deleted.')


def add_routes(add, app):
    s = Servers(app)
    add('/project/servers', s, {'GET': 'index'})
    add('/project/servers/status.json', s, {'GET': 'status'})
    add('/project/servers/launch', s, {'GET': 'launch_form', 'POST': 'launch'})
    add('/project/servers/{id}', s, {'GET': 'detail'})
    add('/project/servers/{id}/action', s, {'POST': 'action'})
    add('/project/servers/{id}/console-log', s, {'GET': 'console_log'})
    add('/project/servers/{id}/vnc', s, {'GET': 'vnc'})
    k = KeyPairs(app)
    add('/project/keypairs', k, {'GET': 'index', 'POST': 'create'})
    add('/project/keypairs/import', k, {'POST': 'import_key'})
    add('/project/keypairs/download', k, {'GET': 'download'})
    add('/project/keypairs/{name}/delete', k, {'POST': 'delete'})
