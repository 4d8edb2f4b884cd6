"""os-hosts (deprecated; gone from 2.43 as in Nova): the services' hosts, a compute host's
resources per project, and the host power/maintenance calls, which the libvirt driver does
not do (501, as Nova's libvirt driver answers)."""
from common import exceptions
from compute.api import base
from compute.api import hosts as hosts_api
from compute.api import schemas
from compute.db import compute_nodes
from compute.db import instances
from compute.db import services

# os-hosts names a service by Nova's topic.
TOPICS = {'compute-worker': 'compute', 'compute-scheduler': 'scheduler',
          'compute-conductor': 'conductor', 'compute-api': 'api',
          'compute-metadata': 'metadata'}


class Hosts(base.Controller):
    def _begin(self, req, rule):
        if base.at_least(req, '2.43'):
            raise exceptions.NotFound('The resource could not be found.')
        return self.authorize(req, 'os-hosts:%s' % rule)

    def _compute(self, host):
        """The compute service of ``host`` or a 404."""
        found = services.list_(self.db, binary=hosts_api.WORKER, host=host)
        if not found:
            raise exceptions.NotFound('Compute host %s could not be found.' % host[:255])
        return found[0]

    def index(self, req):
        self._begin(req, 'list')
        nodes = {n['host']: n for n in compute_nodes.list_(self.db)}
        default = self.conf.compute.default_availability_zone
        zone = req.GET.get('zone')
        out = []
        for svc in services.list_(self.db):
            svc_zone = hosts_api.zone_of(svc, nodes, default)
            if zone and svc_zone != zone:
                continue
            out.append({'host_name': svc['host'], 'zone': svc_zone,
                        'service': TOPICS.get(svc['binary'], svc['binary'])})
        return {'hosts': out}

    def show(self, req, id):
        self._begin(req, 'show')
        self._compute(id)
        nodes = compute_nodes.list_(self.db, host=id)

        def resource(project, cpu, mem, disk):
            return {'resource': {'host': id, 'project': project, 'cpu': cpu,
                                 'memory_mb': mem, 'disk_gb': disk}}

        out = [resource('(total)', *(sum(n[k] for n in nodes)
                                     for k in ('vcpus', 'memory_mb', 'local_gb'))),
               resource('(used_now)', *(sum(n[k] for n in nodes) for k in (
                   'vcpus_used', 'memory_mb_used', 'local_gb_used')))]
        per_project = {}
        for server in instances.list_on_host(self.db, id):
            sums = per_project.setdefault(server['project_id'], [0, 0, 0])
            for i, value in enumerate((server['vcpus'], server['memory_mb'],
                                       server['root_gb'] + server['ephemeral_gb'])):
                sums[i] += value
        out.append(resource('(used_max)', *(sum(s[i] for s in per_project.values())
                                            for i in range(3))))
        out.extend(resource(p, *s) for p, s in sorted(per_project.items()))
        return {'host': out}

    def update(self, req, id):
        self._begin(req, 'update')
        data = base.body(req, schemas.HOST_UPDATE)
        self._compute(id)
        what = ' and '.join(k for k in ('status', 'maintenance_mode') if k in data)
        raise exceptions.NotImplementedYet(
            'Setting %s of a host is not supported by the libvirt driver; use '
            'os-services to disable the compute service.' % what)

    def _power(self, req, id, action, rule):
        self._begin(req, rule)
        self._compute(id)
        raise exceptions.NotImplementedYet('Host power action %s is not supported by the '
                                           'libvirt driver.' % action)

    def reboot(self, req, id):
        return self._power(req, id, 'reboot', 'reboot')

    def shutdown(self, req, id):
        return self._power(req, id, 'shutdown', 'shutdown')

    def startup(self, req, id):
        return self._power(req, id, 'startup', 'start')
