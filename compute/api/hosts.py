"""What runs where: os-services, os-hypervisors (the workers' reported figures) and
os-availability-zone."""
import json
import os
import time

from common import exceptions
from compute.api import base
from compute.api import schemas
from compute.db import compute_nodes
from compute.db import instances
from compute.db import services

WORKER = 'compute-worker'
INTERNAL_ZONE = 'internal'
# os-services shows (and filters by) Nova's binary names, which clients and tempest use.
NOVA_BINARIES = {'compute-worker': 'nova-compute', 'compute-scheduler': 'nova-scheduler',
                 'compute-conductor': 'nova-conductor', 'compute-api': 'nova-api',
                 'compute-metadata': 'nova-metadata'}
OUR_BINARIES = {v: k for k, v in NOVA_BINARIES.items()}


def host_uptime(conf, host):
    """The ``uptime``-style line of this machine when ``host`` is this API's own host
    (devstack, single node), else None (another hypervisor does not report it)."""
    if host != conf.host:
        return None
    with open('/proc/uptime') as handle:
        seconds = int(float(handle.read().split()[0]))
    days, rest = divmod(seconds, 86400)
    load = ', '.join('%.2f' % v for v in os.getloadavg())
    return ' %s up %d days, %d:%02d,  0 users,  load average: %s' % (
        time.strftime('%H:%M:%S'), days, rest // 3600, rest % 3600 // 60, load)


def zone_of(service, nodes_by_host, default_zone):
    if service['binary'] != WORKER:
        return INTERNAL_ZONE
    node = nodes_by_host.get(service['host'])
    return node['availability_zone'] if node else default_zone


class Services(base.Controller):
    def _view(self, req, svc, zone):
        out = {'id': svc['uuid'] if base.at_least(req, '2.53') else svc['id'],
               'binary': NOVA_BINARIES.get(svc['binary'], svc['binary']),
               'host': svc['host'], 'zone': zone,
               'status': 'disabled' if svc['disabled'] else 'enabled',
               'state': 'up' if svc['alive'] else 'down',
               'updated_at': base.iso(svc['updated_at'] or svc['created_at'], z=False),
               'disabled_reason': svc['disabled_reason']}
        if base.at_least(req, '2.11'):
            out['forced_down'] = svc['forced_down']
        return out

    def _nodes(self):
        return {n['host']: n for n in compute_nodes.list_(self.db)}

    def index(self, req):
        self.authorize(req, 'os-services:list')
        nodes = self._nodes()
        zone = self.conf.compute.default_availability_zone
        binary = req.GET.get('binary')
        found = services.list_(self.db, binary=OUR_BINARIES.get(binary, binary),
                               host=req.GET.get('host'))
        return {'services': [self._view(req, s, zone_of(s, nodes, zone)) for s in found]}

    def _one(self, req, svc):
        return self._view(req, svc, zone_of(svc, self._nodes(),
                                             self.conf.compute.default_availability_zone))

    def update(self, req, id):
        self.authorize(req, 'os-services:update')
        if not base.at_least(req, '2.53'):
            return self._legacy(req, id)
        data = base.body(req, schemas.SERVICE_UPDATE)
        if not data:
            raise exceptions.BadRequest('No updates were requested: give status, '
                                        'disabled_reason or forced_down.')
        if 'disabled_reason' in data and data.get('status') != 'disabled':
            raise exceptions.BadRequest("Specifying 'disabled_reason' with status other than "
                                        "'disabled' is not allowed.")
        current = services.get(self.db, id)
        values = {}
        if 'status' in data:
            values['disabled'] = data['status'] == 'disabled'
            values['disabled_reason'] = data.get('disabled_reason')
        if 'forced_down' in data:
            if current['binary'] != WORKER:
                raise exceptions.BadRequest('Updating a %s service is not supported; only '
                                            'compute-worker services can be forced down.'
                                            % current['binary'])
            values['forced_down'] = schemas.truthy(data['forced_down'])
        return {'service': self._one(req, services.update(self.db, id, values))}

    def _legacy(self, req, action):
        """PUT /os-services/{enable,disable,disable-log-reason,force-down} (before 2.53)."""
        data = base.body(req, schemas.SERVICE_LEGACY)
        found = services.list_(self.db, binary=OUR_BINARIES.get(data['binary'],
                                                                 data['binary']),
                               host=data['host'])
        if not found:
            raise exceptions.NotFound('Service %s on host %s could not be found.'
                                      % (data['binary'], data['host']))
        values = {'enable': {'disabled': False, 'disabled_reason': None},
                  'disable': {'disabled': True}}.get(action)
        if action == 'disable-log-reason':
            if not data.get('disabled_reason'):
                raise exceptions.BadRequest('Missing disabled reason field')
            values = {'disabled': True, 'disabled_reason': data['disabled_reason']}
        elif action == 'force-down' and base.at_least(req, '2.11'):
            if 'forced_down' not in data:
                raise exceptions.BadRequest('Missing forced_down field')
            values = {'forced_down': schemas.truthy(data['forced_down'])}
        if values is None:
            raise exceptions.NotFound('Unknown action %s' % action)
        svc = services.update(self.db, found[0]['id'], values)
        out = {'host': svc['host'], 'binary': NOVA_BINARIES.get(svc['binary'], svc['binary'])}
        if action == 'force-down':
            out['forced_down'] = svc['forced_down']
        else:
            out['status'] = 'disabled' if svc['disabled'] else 'enabled'
            if action == 'disable-log-reason':
                out['disabled_reason'] = svc['disabled_reason']
        return {'service': out}

    def delete(self, req, id):
        self.authorize(req, 'os-services:delete')
        svc = services.get(self.db, id)
        if svc['binary'] == WORKER and instances.list_on_host(self.db, svc['host']):
            raise exceptions.Conflict('Unable to delete compute service that is hosting '
                                      'instances. Migrate or delete the instances first.')
        services.delete(self.db, id)
        return None


class Hypervisors(base.Controller):
    def _service(self, node):
        found = services.list_(self.db, binary=WORKER, host=node['host'])
        return found[0] if found else None

    def _view(self, req, node, detail, with_servers=False):
        svc = self._service(node)
        new_ids = base.at_least(req, '2.53')
        out = {'id': node['uuid'] if new_ids else node['id'],
               'hypervisor_hostname': node['hypervisor_hostname'],
               'state': 'up' if svc and svc['alive'] else 'down',
               'status': 'disabled' if svc and svc['disabled'] else 'enabled'}
        if detail:
            out.update({'hypervisor_type': node['hypervisor_type'],
                        'hypervisor_version': node['hypervisor_version'],
                        'host_ip': node['host_ip'],
                        'service': {'host': node['host'],
                                    'id': (svc['uuid'] if new_ids else svc['id'])
                                    if svc else None,
                                    'disabled_reason': svc['disabled_reason'] if svc
                                    else None}})
            if not base.at_least(req, '2.88'):
                out.update({k: node[k] for k in (
                    'vcpus', 'memory_mb', 'local_gb', 'vcpus_used', 'memory_mb_used',
                    'local_gb_used', 'free_ram_mb', 'free_disk_gb', 'running_vms',
                    'disk_available_least')})
                out['current_workload'] = 0
                cpu = node['cpu_info'] or {}
                out['cpu_info'] = cpu if base.at_least(req, '2.28') else json.dumps(cpu)
        if with_servers:
            out['servers'] = [{'uuid': s['uuid'], 'name': s['display_name']}
                              for s in instances.list_on_host(self.db, node['host'])]
        return out

    def _list(self, req, detail):
        self.authorize(req, 'os-hypervisors:list-detail' if detail else 'os-hypervisors:list')
        pattern = req.GET.get('hypervisor_hostname_pattern')
        nodes = self._matching(pattern) if pattern else compute_nodes.list_(self.db)
        with_servers = base.bool_param(req, 'with_servers', False)
        limit, marker = base.limit_marker(req)
        key = 'uuid' if base.at_least(req, '2.53') else 'id'
        if marker is not None:
            ids = [str(n[key]) for n in nodes]
            if marker not in ids:
                raise exceptions.BadRequest('marker [%s] not found' % marker)
            nodes = nodes[ids.index(marker) + 1:]
        if limit is not None:
            nodes = nodes[:limit]
        return self.page(req, 'hypervisors',
                         'os-hypervisors/detail' if detail else 'os-hypervisors',
                         [self._view(req, n, detail, with_servers) for n in nodes], limit)

    def index(self, req):
        return self._list(req, False)

    def detail(self, req):
        return self._list(req, True)

    def _get(self, id):
        try:
            return compute_nodes.get(self.db, id)
        except exceptions.NotFound:
            raise exceptions.NotFound('Hypervisor with ID %s could not be found.' % id)

    def show(self, req, id):
        self.authorize(req, 'os-hypervisors:show')
        node = self._get(id)
        out = self._view(req, node, True, base.bool_param(req, 'with_servers', False))
        if base.at_least(req, '2.88'):
            out['uptime'] = host_uptime(self.conf, node['host'])
        return {'hypervisor': out}

    def uptime(self, req, id):
        if base.at_least(req, '2.88'):
            raise exceptions.NotFound('The resource could not be found.')
        self.authorize(req, 'os-hypervisors:uptime')
        node = self._get(id)
        out = self._view(req, node, False)
        out['uptime'] = host_uptime(self.conf, node['host'])
        return {'hypervisor': out}

    def _matching(self, pattern):
        nodes = [n for n in compute_nodes.list_(self.db) if pattern in n['hypervisor_hostname']]
        if not nodes:
            raise exceptions.NotFound('No hypervisor matching %s could be found.' % pattern)
        return nodes

    def search(self, req, pattern):
        """GET /os-hypervisors/{pattern}/search (before 2.53)."""
        if base.at_least(req, '2.53'):
            raise exceptions.NotFound('The resource could not be found.')
        self.authorize(req, 'os-hypervisors:search')
        return {'hypervisors': [self._view(req, n, False) for n in self._matching(pattern)]}

    def servers(self, req, pattern):
        """GET /os-hypervisors/{pattern}/servers (before 2.53)."""
        if base.at_least(req, '2.53'):
            raise exceptions.NotFound('The resource could not be found.')
        self.authorize(req, 'os-hypervisors:servers')
        return {'hypervisors': [self._view(req, n, False, with_servers=True)
                                for n in self._matching(pattern)]}

    def statistics(self, req):
        if base.at_least(req, '2.88'):
            raise exceptions.NotFound('The resource could not be found.')
        self.authorize(req, 'os-hypervisors:statistics')
        nodes = compute_nodes.list_(self.db)
        keys = ('vcpus', 'memory_mb', 'local_gb', 'vcpus_used', 'memory_mb_used',
                'local_gb_used', 'free_ram_mb', 'free_disk_gb', 'running_vms',
                'disk_available_least')
        stats = {k: sum(n[k] or 0 for n in nodes) for k in keys}
        stats.update(count=len(nodes), current_workload=0)
        return {'hypervisor_statistics': stats}


class AvailabilityZones(base.Controller):
    def _zones(self):
        zones = {}
        for node in compute_nodes.list_(self.db):
            zones.setdefault(node['availability_zone'], []).append(node['host'])
        return zones

    def index(self, req):
        self.authorize(req, 'os-availability-zone:list')
        alive = {s['host'] for s in services.list_(self.db, binary=WORKER)
                 if s['alive'] and not s['disabled']}
        return {'availabilityZoneInfo': [
            {'zoneName': zone, 'zoneState': {'available': any(h in alive for h in hosts)},
             'hosts': None} for zone, hosts in sorted(self._zones().items())]}

    def detail(self, req):
        self.authorize(req, 'os-availability-zone:detail')
        nodes = {n['host']: n for n in compute_nodes.list_(self.db)}
        default = self.conf.compute.default_availability_zone
        zones = {}
        for svc in services.list_(self.db):
            zone = zone_of(svc, nodes, default)
            hosts = zones.setdefault(zone, {})
            hosts.setdefault(svc['host'], {})[svc['binary']] = {
                'available': svc['alive'], 'active': not svc['disabled'],
                'updated_at': base.iso(svc['updated_at'] or svc['created_at'], z=False)}
        return {'availabilityZoneInfo': [
            {'zoneName': zone, 'hosts': hosts,
             'zoneState': {'available': zone == INTERNAL_ZONE or any(
                 b.get(WORKER, {}).get('available') for b in hosts.values())}}
            for zone, hosts in sorted(zones.items())]}
