"""Migration records: os-migrations (admin; every resize and migration, fields per
microversion) and /servers/{id}/migrations (a server's in-progress live migrations)."""
from common import exceptions
from compute.api import base
from compute.db import migration_records

LIVE = 'live-migration'


def _changes(req):
    since = base.parse_time(req, 'changes-since') if base.at_least(req, '2.59') else None
    before = base.parse_time(req, 'changes-before') if base.at_least(req, '2.66') else None
    if since and before and since > before:
        raise exceptions.BadRequest('The value of changes-since must be less than or equal '
                                    'to changes-before.')
    return since, before


def _versioned(req, mig, out):
    """``out`` plus the fields later microversions add: uuid (2.59), owners (2.80)."""
    if base.at_least(req, '2.59'):
        out['uuid'] = mig['uuid']
    if base.at_least(req, '2.80'):
        out['user_id'] = mig['user_id']
        out['project_id'] = mig['project_id']
    return out


class Migrations(base.Controller):
    def _view(self, req, mig):
        out = {k: mig[k] for k in ('id', 'status', 'instance_uuid', 'source_node',
                                   'source_compute', 'dest_node', 'dest_compute', 'dest_host',
                                   'old_instance_type_id', 'new_instance_type_id')}
        out['created_at'] = base.iso(mig['created_at'], z=False)
        out['updated_at'] = base.iso(mig['updated_at'], z=False)
        if base.at_least(req, '2.23'):
            out['migration_type'] = mig['migration_type']
            if (mig['migration_type'] == LIVE
                    and mig['status'] in migration_records.IN_PROGRESS):
                out['links'] = self.links(req, 'servers/%s/migrations' % mig['instance_uuid'],
                                          mig['id'])
        return _versioned(req, mig, out)

    def index(self, req):
        self.authorize(req, 'os-migrations:index')
        filters = {k: req.GET.get(k) for k in ('status', 'instance_uuid', 'source_compute',
                                               'migration_type', 'host')}
        if base.at_least(req, '2.80'):
            filters.update(user_id=req.GET.get('user_id'), project_id=req.GET.get('project_id'))
        filters['changes_since'], filters['changes_before'] = _changes(req)
        limit = marker = None
        if base.at_least(req, '2.59'):
            limit, marker = base.limit_marker(req)
        found = migration_records.list_(self.db, filters, limit, marker)
        items = [self._view(req, m) for m in found]
        if not base.at_least(req, '2.59'):
            return {'migrations': items}
        return self.page(req, 'migrations', 'os-migrations', items, limit, key='uuid')


class ServerMigrations(base.Controller):
    """A server's in-progress live migrations (this cloud records resizes and cold
    migrations too, which os-migrations lists; Nova shows only live ones here)."""

    def _view(self, req, mig):
        out = {k: mig[k] for k in ('id', 'status', 'source_node', 'source_compute',
                                   'dest_node', 'dest_compute', 'dest_host')}
        out.update(server_uuid=mig['instance_uuid'],
                   created_at=base.iso(mig['created_at'], z=False),
                   updated_at=base.iso(mig['updated_at'], z=False),
                   # The hypervisor's progress figures are not recorded on the row.
                   memory_total_bytes=None, memory_processed_bytes=None,
                   memory_remaining_bytes=None, disk_total_bytes=None,
                   disk_processed_bytes=None, disk_remaining_bytes=None)
        return _versioned(req, mig, out)

    def _running(self, req, server_id, rule):
        self.authorize(req, 'servers:migrations:%s' % rule)
        server = self.engine.get(base.context(req), server_id)
        return migration_records.in_progress(self.db, server['uuid'], LIVE)

    def index(self, req, server_id):
        if not base.at_least(req, '2.23'):
            raise exceptions.NotFound('The resource could not be found.')
        return {'migrations': [self._view(req, m)
                               for m in self._running(req, server_id, 'index')]}

    def show(self, req, server_id, id):
        if not base.at_least(req, '2.23'):
            raise exceptions.NotFound('The resource could not be found.')
        for mig in self._running(req, server_id, 'show'):
            if str(mig['id']) == id:
                return {'migration': self._view(req, mig)}
        raise exceptions.NotFound('In-progress live migration %s is not found for server '
                                  '%s.' % (id[:64], server_id[:64]))
