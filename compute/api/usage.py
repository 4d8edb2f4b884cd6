"""Simple tenant usage (os-simple-tenant-usage): hours of vCPU, RAM and disk per project
over a period, from the servers' launch and termination times."""

from common import exceptions
from common.db import types
from compute.api import base
from compute.db import instances


def _period(req):
    now = types.utcnow()
    start = base.parse_time(req, 'start') or now
    end = base.parse_time(req, 'end') or now
    if end < start:
        raise exceptions.BadRequest('Invalid start time. The start time cannot occur after '
                                    'the end time.')
    return start, min(end, now)


def _server_usage(server, start, end):
    began = server.get('launched_at') or server['created_at']
    ended = server.get('terminated_at')
    lo = max(began, start)
    hi = min(ended or end, end)
    hours = max((hi - lo).total_seconds(), 0) / 3600.0
    state = 'terminated' if ended else server['vm_state']
    flavor = server.get('flavor') or {}
    return {'instance_id': server['uuid'], 'name': server['display_name'],
            'hours': hours, 'memory_mb': server['memory_mb'],
            'local_gb': server['root_gb'] + server['ephemeral_gb'],
            'vcpus': server['vcpus'], 'tenant_id': server['project_id'],
            'flavor': flavor.get('name'), 'started_at': base.iso(began, z=False),
            'ended_at': base.iso(ended, z=False) if ended else None, 'state': state,
            'uptime': int((((ended or end) if ended else types.utcnow()) - began)
                          .total_seconds())}


def _summary(project_id, usages, start, end, detailed):
    out = {'tenant_id': project_id, 'start': base.iso(start, z=False),
           'stop': base.iso(end, z=False),
           'total_hours': sum(u['hours'] for u in usages),
           'total_vcpus_usage': sum(u['hours'] * u['vcpus'] for u in usages),
           'total_memory_mb_usage': sum(u['hours'] * u['memory_mb'] for u in usages),
           'total_local_gb_usage': sum(u['hours'] * u['local_gb'] for u in usages)}
    if detailed:
        out['server_usages'] = usages
    return out


class Usage(base.Controller):
    def index(self, req):
        self.authorize(req, 'os-simple-tenant-usage:list')
        start, end = _period(req)
        detailed = base.bool_param(req, 'detailed', False)
        by_project = {}
        for server in instances.usage_in_period(self.db, None, start, end):
            by_project.setdefault(server['project_id'], []).append(
                _server_usage(server, start, end))
        return {'tenant_usages': [_summary(p, u, start, end, detailed)
                                  for p, u in sorted(by_project.items())]}

    def show(self, req, id):
        self.authorize(req, 'os-simple-tenant-usage:show', {'project_id': id})
        start, end = _period(req)
        usages = [_server_usage(s, start, end)
                  for s in instances.usage_in_period(self.db, id, start, end)]
        if not usages:
            return {'tenant_usage': {}}
        return {'tenant_usage': _summary(id, usages, start, end, True)}


