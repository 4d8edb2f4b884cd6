"""The compute API WSGI app: routes of API v2.1 onto the controllers."""
from common import config
from common.wsgi import router as router_mod
from compute.api import aggregates
from compute.api import audit_log
from compute.api import base
from compute.api import consoles
from compute.api import diagnostics
from compute.api import flavors
from compute.api import floating_ips
from compute.api import hosts
from compute.api import images
from compute.api import keypairs
from compute.api import legacy_hosts
from compute.api import limits
from compute.api import migrations
from compute.api import networks
from compute.api import quota_sets
from compute.api import security_groups
from compute.api import server_groups
from compute.api import servers
from compute.api import state as state_mod
from compute.api import usage
from compute.api import volumes

CRUD = {'GET': 'index', 'POST': 'create'}
MEMBER = {'GET': 'show', 'PUT': 'update', 'DELETE': 'delete'}


def build(state):
    r = router_mod.Router()
    P = base.PREFIX

    def add(path, ctrl, methods):
        r.add(P + path, ctrl, methods)

    fl = flavors.Flavors(state)
    add('/flavors', fl, CRUD)
    add('/flavors/detail', fl, {'GET': 'detail'})
    add('/flavors/{id}', fl, MEMBER)
    add('/flavors/{id}/action', fl, {'POST': 'action'})
    add('/flavors/{flavor_id}/os-flavor-access', fl, {'GET': 'access_index'})
    add('/flavors/{flavor_id}/os-extra_specs', fl,
        {'GET': 'specs_index', 'POST': 'specs_create'})
    add('/flavors/{flavor_id}/os-extra_specs/{key}', fl,
        {'GET': 'specs_show', 'PUT': 'specs_update', 'DELETE': 'specs_delete'})

    kp = keypairs.Keypairs(state)
    add('/os-keypairs', kp, CRUD)
    add('/os-keypairs/{id}', kp, {'GET': 'show', 'DELETE': 'delete'})

    add('/limits', limits.Limits(state), {'GET': 'index'})

    qs = quota_sets.QuotaSets(state)
    add('/os-quota-sets/{project_id}', qs, MEMBER)
    add('/os-quota-sets/{project_id}/defaults', qs, {'GET': 'defaults'})
    add('/os-quota-sets/{project_id}/detail', qs, {'GET': 'detail'})
    add('/os-quota-class-sets/{id}', quota_sets.QuotaClassSets(state),
        {'GET': 'show', 'PUT': 'update'})

    az = hosts.AvailabilityZones(state)
    add('/os-availability-zone', az, {'GET': 'index'})
    add('/os-availability-zone/detail', az, {'GET': 'detail'})
    svc = hosts.Services(state)
    add('/os-services', svc, {'GET': 'index'})
    add('/os-services/{id}', svc, {'PUT': 'update', 'DELETE': 'delete'})
    hv = hosts.Hypervisors(state)
    add('/os-hypervisors', hv, {'GET': 'index'})
    add('/os-hypervisors/detail', hv, {'GET': 'detail'})
    add('/os-hypervisors/statistics', hv, {'GET': 'statistics'})
    add('/os-hypervisors/{id}', hv, {'GET': 'show'})
    add('/os-hypervisors/{id}/uptime', hv, {'GET': 'uptime'})
    add('/os-hypervisors/{pattern}/search', hv, {'GET': 'search'})
    add('/os-hypervisors/{pattern}/servers', hv, {'GET': 'servers'})

    sg = server_groups.ServerGroups(state)
    add('/os-server-groups', sg, CRUD)
    add('/os-server-groups/{id}', sg, {'GET': 'show', 'DELETE': 'delete'})

    us = usage.Usage(state)
    add('/os-simple-tenant-usage', us, {'GET': 'index'})
    add('/os-simple-tenant-usage/{id}', us, {'GET': 'show'})

    _admin(add, state)
    _servers(add, state)
    _proxies(add, state)
    return r.finalize()


def _proxies(add, state):
    """Nova's proxies onto the image, network and block storage services (up to
    microversion 2.35)."""
    for module in (images, security_groups, floating_ips, networks, volumes):
        module.add_routes(add, state)


def _admin(add, state):
    """Admin APIs: aggregates, os-hosts, migrations, the usage audit log."""
    ag = aggregates.Aggregates(state)
    add('/os-aggregates', ag, CRUD)
    add('/os-aggregates/{id}', ag, MEMBER)
    add('/os-aggregates/{id}/action', ag, {'POST': 'action'})
    oh = legacy_hosts.Hosts(state)
    add('/os-hosts', oh, {'GET': 'index'})
    add('/os-hosts/{id}', oh, {'GET': 'show', 'PUT': 'update'})
    add('/os-hosts/{id}/reboot', oh, {'GET': 'reboot'})
    add('/os-hosts/{id}/shutdown', oh, {'GET': 'shutdown'})
    add('/os-hosts/{id}/startup', oh, {'GET': 'startup'})
    add('/os-migrations', migrations.Migrations(state), {'GET': 'index'})
    al = audit_log.AuditLog(state)
    add('/os-instance_usage_audit_log', al, {'GET': 'index'})
    add('/os-instance_usage_audit_log/{id}', al, {'GET': 'show'})


def _servers(add, state):
    """Routes of servers and everything under them."""
    servers.add_routes(add, state)
    sm = migrations.ServerMigrations(state)
    add('/servers/{server_id}/migrations', sm, {'GET': 'index'})
    add('/servers/{server_id}/migrations/{id}', sm, {'GET': 'show'})
    add('/servers/{server_id}/diagnostics', diagnostics.Diagnostics(state), {'GET': 'index'})


class ProjectInPath:
    """Clients configured with ``/v2.1/<project_id>`` endpoints (older catalogs) reach the
    same routes: the project segment is dropped when it is the caller's project."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get('PATH_INFO', '')
        parts = path.split('/', 3)
        project = environ.get('HTTP_X_PROJECT_ID')
        if len(parts) >= 3 and parts[1] == 'v2.1' and project and parts[2] == project:
            environ['PATH_INFO'] = '/v2.1' + ('/' + parts[3] if len(parts) > 3 else '')
        return self.app(environ, start_response)


def app_factory(global_conf, **local_conf):
    conf = config.from_paste(global_conf)
    consoles.register_opts(conf)   # idempotent; compute.cmd registers it before loading
    return ProjectInPath(build(state_mod.get(conf)))
