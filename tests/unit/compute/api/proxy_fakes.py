"""TEST FAKE of the image, network and block storage services as compute's proxy APIs call
them (compute.clients.ProxyClient, VolumeProxy): an in-memory subset of the Glance v2,
Neutron v2.0 and Cinder v3 paths
the proxies use, scoped to the caller's project, with the errors those services give."""
import json
import os
import re
import sys
import urllib.parse
import uuid

import webob

from common import client as client_mod
from compute import clients
from compute.db import instances as instances_db

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                'core'))
import compute_core_fakes as fakes  # noqa: E402

EXTERNAL = '33333333-3333-3333-3333-333333333333'


def _new_id():
    return str(uuid.uuid4())


class FakeProxyBackends:
    """TEST FAKE: ``bind(ctx, service)`` gives the backend of one request, like
    ServiceClients.proxy_api; ``calls`` records (service, project, method, path)."""

    def __init__(self):
        self.images, self.groups, self.rules, self.ports, self.fips = {}, {}, {}, {}, {}
        self.networks = {EXTERNAL: {'id': EXTERNAL, 'name': 'public', 'project_id': 'admin',
                                    'router:external': True, 'shared': False,
                                    'subnets': []}}
        self.subnets, self.volumes, self.snapshots = {}, {}, {}
        self.calls = []
        self.image_page = 25       # the image service's page size

    def bind(self, ctx, service):
        return _Bound(self, ctx, service)

    # helpers for the tests
    def add_image(self, owner, visibility='private', status='active', **props):
        iid = _new_id()
        self.images[iid] = dict({'id': iid, 'name': 'img', 'status': status, 'owner': owner,
                                 'visibility': visibility, 'min_disk': 1, 'min_ram': 64,
                                 'size': 1024, 'created_at': '2026-01-02T03:04:05Z',
                                 'updated_at': '2026-01-02T03:04:06Z', 'protected': False,
                                 'tags': [], 'disk_format': 'qcow2'}, **props)
        return iid

    def add_group(self, project, name):
        gid = _new_id()
        self.groups[gid] = {'id': gid, 'name': name, 'description': '', 'project_id': project}
        return gid

    def add_network(self, project, name, cidr='10.0.0.0/24'):
        nid, sid = _new_id(), _new_id()
        self.subnets[sid] = {'id': sid, 'cidr': cidr, 'gateway_ip': cidr[:-4] + '1',
                             'dns_nameservers': ['192.0.2.53'], 'enable_dhcp': True}
        self.networks[nid] = {'id': nid, 'name': name, 'project_id': project,
                              'shared': False, 'router:external': False, 'subnets': [sid],
                              'mtu': 1450}
        return nid

    def add_port(self, project, device_id, ip, groups=()):
        pid = _new_id()
        self.ports[pid] = {'id': pid, 'project_id': project, 'device_id': device_id,
                           'fixed_ips': [{'ip_address': ip}],
                           'security_groups': list(groups)}
        return pid


class _Bound:
    def __init__(self, fake, ctx, service):
        self.fake, self.ctx, self.service = fake, ctx, service

    def endpoint(self):
        return 'http://%s.test' % self.service

    def _mine(self, item):
        return self.ctx.is_admin or item.get('project_id', item.get('owner')) == \
            self.ctx.project_id

    def request(self, method, path, body=None, params=None, headers=None):
        self.fake.calls.append((self.service, self.ctx.project_id, method, path))
        params = params or {}
        for pattern, handler in self.ROUTES:
            m = re.fullmatch(pattern, path)
            if m and handler.__name__.startswith(method.lower() + '_'):
                return handler(self, params, body, headers, *m.groups())
        raise clients.BackendError(404, 'The resource could not be found.')

    def _get(self, table, id, what):
        item = getattr(self.fake, table).get(id)
        if item is None or not (self._mine(item) or item.get('visibility') == 'public'
                                or item.get('shared') or item.get('router:external')):
            raise clients.BackendError(404, '%s %s could not be found.' % (what, id))
        return item

    # images
    def get_images(self, params, body, headers):
        out = sorted((i for i in self.fake.images.values()
                      if self._mine(i) or i['visibility'] == 'public'), key=lambda i: i['id'])
        for key, value in params.items():
            if key == 'updated_at':
                out = [i for i in out if i['updated_at'] >= value[4:]]
            elif key not in ('limit', 'marker'):
                out = [i for i in out if str(i.get(key)) == str(value)]
        if 'marker' in params:
            ids = [i['id'] for i in out]
            if params['marker'] not in ids:
                raise clients.BackendError(400, 'marker not found')
            out = out[ids.index(params['marker']) + 1:]
        size = min(int(params.get('limit', self.fake.image_page)), self.fake.image_page)
        answer = {'images': [dict(i) for i in out[:size]]}
        if len(out) > size:
            answer['next'] = '/v2/images?marker=%s' % out[size - 1]['id']
        return answer

    def get_image(self, params, body, headers, iid):
        return dict(self._get('images', iid, 'Image'))

    def delete_image(self, params, body, headers, iid):
        image = self._get('images', iid, 'Image')
        if not self._mine(image):
            raise clients.BackendError(403, 'You are not permitted to delete this image.')
        del self.fake.images[iid]
        return {}

    def patch_image(self, params, body, headers, iid):
        assert headers['Content-Type'] == 'application/openstack-images-v2.1-json-patch'
        image = self._get('images', iid, 'Image')
        if not self._mine(image):
            raise clients.BackendError(403, 'Forbidden to modify image.')
        for op in body:
            key = op['path'][1:].replace('~1', '/').replace('~0', '~')
            if op['op'] == 'remove':
                image.pop(key)
            else:
                image[key] = op['value']
        return dict(image)

    # security groups and rules
    def _group_view(self, group):
        return dict(group, security_group_rules=[
            dict(r) for r in self.fake.rules.values() if r['security_group_id'] == group['id']])

    def get_groups(self, params, body, headers):
        out = [g for g in self.fake.groups.values() if self._mine(g)]
        if 'project_id' in params:
            out = [g for g in out if g['project_id'] == params['project_id']]
        if 'id' in params:
            out = [g for g in out if g['id'] in params['id']]
        return {'security_groups': [self._group_view(g) for g in out]}

    def get_group(self, params, body, headers, gid):
        return {'security_group': self._group_view(self._get('groups', gid,
                                                             'Security group'))}

    def post_groups(self, params, body, headers):
        gid = self.fake.add_group(self.ctx.project_id, body['security_group']['name'])
        self.fake.groups[gid]['description'] = body['security_group']['description']
        return self.get_group(params, None, headers, gid)

    def put_group(self, params, body, headers, gid):
        self._get('groups', gid, 'Security group').update(body['security_group'])
        return self.get_group(params, None, headers, gid)

    def delete_group(self, params, body, headers, gid):
        group = self._get('groups', gid, 'Security group')
        if group['name'] == 'default':
            raise clients.BackendError(409, 'Insufficient rights for removing default '
                                            'security group.')
        del self.fake.groups[gid]
        return {}

    def post_rules(self, params, body, headers):
        rule = dict(body['security_group_rule'], id=_new_id(),
                    project_id=self.ctx.project_id)
        self._get('groups', rule['security_group_id'], 'Security group')
        for key in ('protocol', 'port_range_min', 'port_range_max', 'remote_ip_prefix',
                    'remote_group_id'):
            rule.setdefault(key, None)
        self.fake.rules[rule['id']] = rule
        return {'security_group_rule': dict(rule)}

    def delete_rule(self, params, body, headers, rid):
        self._get('rules', rid, 'Security group rule')
        del self.fake.rules[rid]
        return {}

    # ports, networks, subnets
    def get_ports(self, params, body, headers):
        return {'ports': [dict(p) for p in self.fake.ports.values() if self._mine(p)
                          and p['device_id'] == params.get('device_id', p['device_id'])]}

    def get_port(self, params, body, headers, pid):
        return {'port': dict(self._get('ports', pid, 'Port'))}

    def put_port(self, params, body, headers, pid):
        self._get('ports', pid, 'Port').update(body['port'])
        return self.get_port(params, None, headers, pid)

    def get_networks(self, params, body, headers):
        out = [n for n in self.fake.networks.values()
               if self._mine(n) or n['shared'] or n['router:external']]
        if 'router:external' in params:
            out = [n for n in out if n['router:external']]
        return {'networks': [dict(n) for n in out]}

    def get_network(self, params, body, headers, nid):
        return {'network': dict(self._get('networks', nid, 'Network'))}

    def get_subnets(self, params, body, headers):
        return {'subnets': [dict(s) for s in self.fake.subnets.values()
                            if s['id'] in params.get('id', [])]}

    # floating IPs
    def get_fips(self, params, body, headers):
        out = [f for f in self.fake.fips.values() if self._mine(f)]
        if 'floating_ip_address' in params:
            out = [f for f in out if f['floating_ip_address'] == params['floating_ip_address']]
        return {'floatingips': [dict(f) for f in out]}

    def get_fip(self, params, body, headers, fid):
        return {'floatingip': dict(self._get('fips', fid, 'Floating IP'))}

    def post_fips(self, params, body, headers):
        values = body['floatingip']
        if len([f for f in self.fake.fips.values()
                if f['project_id'] == self.ctx.project_id]) >= 2:
            raise clients.BackendError(409, 'Quota exceeded for resources: [floatingip].')
        fid = _new_id()
        self.fake.fips[fid] = {'id': fid, 'floating_network_id': values['floating_network_id'],
                               'floating_ip_address': '203.0.113.%d' % (len(self.fake.fips) + 10),
                               'fixed_ip_address': None, 'port_id': None,
                               'project_id': self.ctx.project_id}
        return {'floatingip': dict(self.fake.fips[fid])}

    def put_fip(self, params, body, headers, fid):
        fip = self._get('fips', fid, 'Floating IP')
        values = body['floatingip']
        if values.get('port_id'):
            port = self._get('ports', values['port_id'], 'Port')
            taken = [f for f in self.fake.fips.values() if f['port_id'] == port['id']
                     and f['id'] != fid]
            if taken:
                raise clients.BackendError(409, 'That fixed IP already has a floating IP.')
        fip.update({'port_id': values.get('port_id'),
                    'fixed_ip_address': values.get('fixed_ip_address')})
        return {'floatingip': dict(fip)}

    def delete_fip(self, params, body, headers, fid):
        self._get('fips', fid, 'Floating IP')
        del self.fake.fips[fid]
        return {}

    # block storage (paths relative to its project endpoint)
    def get_volumes(self, params, body, headers):
        return {'volumes': [dict(v) for v in self.fake.volumes.values() if self._mine(v)]}

    def get_volume(self, params, body, headers, vid):
        return {'volume': dict(self._get('volumes', vid, 'Volume'))}

    def post_volumes(self, params, body, headers):
        values = body['volume']
        if values['size'] > 10:
            raise clients.BackendError(413, 'VolumeSizeExceedsAvailableQuota')
        vid = _new_id()
        self.fake.volumes[vid] = dict(values, id=vid, status='creating', attachments=[],
                                      project_id=self.ctx.project_id,
                                      availability_zone='nova', volume_type='lvm',
                                      created_at='2026-01-02T03:04:05.000000',
                                      snapshot_id=values.get('snapshot_id'))
        return self.get_volume(params, None, headers, vid)

    def delete_volume(self, params, body, headers, vid):
        vol = self._get('volumes', vid, 'Volume')
        if vol['attachments']:
            raise clients.BackendError(400, 'Volume is attached.')
        del self.fake.volumes[vid]
        return {}

    def get_snapshots(self, params, body, headers):
        return {'snapshots': [dict(v) for v in self.fake.snapshots.values() if self._mine(v)]}

    def get_snapshot(self, params, body, headers, sid):
        return {'snapshot': dict(self._get('snapshots', sid, 'Snapshot'))}

    def post_snapshots(self, params, body, headers):
        values = body['snapshot']
        vol = self._get('volumes', values['volume_id'], 'Volume')
        sid = _new_id()
        self.fake.snapshots[sid] = dict(values, id=sid, status='available', size=vol['size'],
                                        project_id=self.ctx.project_id,
                                        created_at='2026-01-02T03:04:05.000000')
        return self.get_snapshot(params, None, headers, sid)

    def delete_snapshot(self, params, body, headers, sid):
        self._get('snapshots', sid, 'Snapshot')
        del self.fake.snapshots[sid]
        return {}

    ROUTES = [
        (r'/volumes/detail', get_volumes), (r'/volumes', post_volumes),
        (r'/volumes/([^/]+)', get_volume), (r'/volumes/([^/]+)', delete_volume),
        (r'/snapshots/detail', get_snapshots), (r'/snapshots', post_snapshots),
        (r'/snapshots/([^/]+)', get_snapshot), (r'/snapshots/([^/]+)', delete_snapshot),
        (r'/v2/images', get_images), (r'/v2/images/([^/]+)', get_image),
        (r'/v2/images/([^/]+)', delete_image), (r'/v2/images/([^/]+)', patch_image),
        (r'/v2.0/security-groups', get_groups), (r'/v2.0/security-groups', post_groups),
        (r'/v2.0/security-groups/([^/]+)', get_group),
        (r'/v2.0/security-groups/([^/]+)', put_group),
        (r'/v2.0/security-groups/([^/]+)', delete_group),
        (r'/v2.0/security-group-rules', post_rules),
        (r'/v2.0/security-group-rules/([^/]+)', delete_rule),
        (r'/v2.0/ports', get_ports), (r'/v2.0/ports/([^/]+)', get_port),
        (r'/v2.0/ports/([^/]+)', put_port),
        (r'/v2.0/networks', get_networks), (r'/v2.0/networks/([^/]+)', get_network),
        (r'/v2.0/subnets', get_subnets),
        (r'/v2.0/floatingips', get_fips), (r'/v2.0/floatingips', post_fips),
        (r'/v2.0/floatingips/([^/]+)', get_fip), (r'/v2.0/floatingips/([^/]+)', put_fip),
        (r'/v2.0/floatingips/([^/]+)', delete_fip),
    ]


class WsgiBackends:
    """ProxyClient's interface over real service apps in process ({service: WSGI app}):
    only the HTTP hop is replaced; the request's own token goes along."""

    def __init__(self, apps):
        self.apps = apps

    def bind(self, ctx, service):
        return WsgiBound(self.apps[service], ctx.auth_token, service)


class WsgiBound:
    def __init__(self, app, token, service='image'):
        self.app, self.token, self.service = app, token, service

    def endpoint(self):
        return 'http://%s.test' % self.service

    def request(self, method, path, body=None, params=None, headers=None):
        if params:
            path += '?' + urllib.parse.urlencode(params, doseq=True)
        req = webob.Request.blank(path, method=method,
                                  headers=dict(headers or {}, **{'X-Auth-Token': self.token}))
        if body is not None:
            req.body = json.dumps(body).encode()
            req.content_type = (headers or {}).get('Content-Type', 'application/json')
        resp = req.get_response(self.app)
        if resp.status_code >= 400:
            raise clients.BackendError(resp.status_code, _message(resp))
        return resp.json if resp.body else {}


def _message(resp):
    """The fault's message, as common.client.fault_message reads a requests response."""
    class Adapter:
        text, reason = resp.text, resp.status

        @staticmethod
        def json():
            return json.loads(resp.text)
    return client_mod.fault_message(Adapter)


def boot_server(api):
    """A server of the caller (booted on the core fakes, marked active)."""
    api.ok('POST', '/v2.1/flavors', {'flavor': {'name': 'm1.nano', 'id': '1', 'ram': 128,
                                                'vcpus': 1, 'disk': 1}}, token=api.admin)
    body = {'server': {'name': 'vm1', 'imageRef': fakes.IMAGE_ID, 'flavorRef': '1',
                       'networks': [{'uuid': fakes.NET_ID}]}}
    code, data, _ = api.call('POST', '/v2.1/servers', body, version='2.37')
    assert code == 202, data
    uuid = data['server']['id']
    instances_db.update(api.engine.db, uuid, {'vm_state': 'active', 'task_state': None,
                                              'host': 'host1'})
    return uuid
