"""Quotas, limits, services, availability zones and pools of the block storage API."""
import webob

from blockstore.api import base
from blockstore.api import schemas
from blockstore.api.views import _time
from blockstore.db import api as db_api
from common import validation
from common.wsgi import response


class Quotas(base.Controller):
    def _target(self, ctx, req, target_project):
        ctx = self.context(req, 'quota:show')
        if target_project != ctx.project_id:
            self.authorize(ctx, 'quota:show_other')
        return ctx

    def show(self, req, project_id, target):
        self._target(None, req, target)
        usage = validation.query_bool(req, 'usage', False)
        quotas = db_api.get_quotas(self.db, self.conf, target, usage)
        return {'quota_set': dict(quotas, id=target)}

    def defaults(self, req, project_id, target):
        self.context(req, 'quota:show')
        return {'quota_set': dict({r: getattr(self.conf.quota, 'quota_' + r)
                                   for r in db_api.RESOURCES}, id=target)}

    def update(self, req, project_id, target):
        self.context(req, 'quota:update')
        body = validation.validate(schemas.QUOTA_UPDATE, response.json_body(req))
        values = {k: int(v) for k, v in body['quota_set'].items() if k != 'tenant_id'}
        db_api.set_quotas(self.db, target, values)
        return {'quota_set': db_api.get_quotas(self.db, self.conf, target)}

    def delete(self, req, project_id, target):
        self.context(req, 'quota:update')
        db_api.delete_quotas(self.db, target)
        return webob.Response(status=200)


class Limits(base.Controller):
    def index(self, req, project_id):
        ctx = self.context(req, 'limits:get')
        q = db_api.get_quotas(self.db, self.conf, ctx.project_id, usage=True)
        names = {'volumes': ('maxTotalVolumes', 'totalVolumesUsed'),
                 'snapshots': ('maxTotalSnapshots', 'totalSnapshotsUsed'),
                 'gigabytes': ('maxTotalVolumeGigabytes', 'totalGigabytesUsed'),
                 'backups': ('maxTotalBackups', 'totalBackupsUsed'),
                 'backup_gigabytes': ('maxTotalBackupGigabytes', 'totalBackupGigabytesUsed')}
        absolute = {}
        for resource, (limit, used) in names.items():
            absolute[limit] = q[resource]['limit']
            absolute[used] = q[resource]['in_use']
        return {'limits': {'rate': [], 'absolute': absolute}}


class Services(base.Controller):
    def index(self, req, project_id):
        self.context(req, 'service:get_all')
        down = self.conf.blockstore.pool_down_time
        zone = self.conf.blockstore.storage_availability_zone
        found = []
        for row in db_api.list_services(self.db, down):
            if req.GET.get('binary') not in (None, row['binary']):
                continue
            if req.GET.get('host') not in (None, row['host']):
                continue
            found.append({'binary': row['binary'], 'host': row['host'], 'zone': zone,
                          'status': 'disabled' if row['disabled'] else 'enabled',
                          'state': 'up' if row['alive'] else 'down',
                          'updated_at': _time(row['updated_at']),
                          'disabled_reason': row['disabled_reason'],
                          'frozen': False, 'cluster': None,
                          'replication_status': 'disabled', 'active_backend_id': None,
                          'backend_state': 'up' if row['alive'] else 'down'})
        return {'services': found}


class Zones(base.Controller):
    def index(self, req, project_id):
        self.context(req, 'availability_zone:get_all')
        pools = db_api.list_pools(self.db)
        live = {p['availability_zone'] for p in
                db_api.list_pools(self.db, self.conf.blockstore.pool_down_time)}
        zones = sorted({p['availability_zone'] for p in pools}
                       | {self.conf.blockstore.storage_availability_zone})
        return {'availabilityZoneInfo': [{'zoneName': z, 'zoneState': {
            'available': z in live}} for z in zones]}


class Pools(base.Controller):
    def index(self, req, project_id):
        self.context(req, 'pool:get_all')
        detail = validation.query_bool(req, 'detail', False)
        found = []
        for pool in db_api.list_pools(self.db):
            item = {'name': pool['name']}
            if detail:
                caps = dict(pool['capabilities'])
                caps.update({'total_capacity_gb': pool['total_capacity_gb'],
                             'free_capacity_gb': pool['free_capacity_gb'],
                             'allocated_capacity_gb': pool['allocated_capacity_gb'],
                             'reserved_percentage': pool['reserved_percentage'],
                             'timestamp': _time(pool['reported_at'])})
                item['capabilities'] = caps
            found.append(item)
        return {'pools': found}


class Extensions(base.Controller):
    """No extensions beyond v3 itself; clients that ask get an empty list."""

    def index(self, req, project_id):
        self.context(req, 'limits:get')
        return {'extensions': []}
