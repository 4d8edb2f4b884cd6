"""Quotas, limits, services, availability zones and pools of the block storage API."""
import webob

from blockstore.api import base
from blockstore.api import schemas
from blockstore.api.views import _time
from blockstore.db import api as db_api
from common import exceptions
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
        return {'quota_set': dict(db_api.default_limits(self.conf), id=target)}

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


# os-services and os-hosts show Cinder's binary names, which clients and tempest look for.
CINDER_BINARIES = {'blockstore-volume': 'cinder-volume',
                   'blockstore-scheduler': 'cinder-scheduler',
                   'blockstore-backup': 'cinder-backup', 'blockstore-api': 'cinder-api'}
OUR_BINARIES = {v: k for k, v in CINDER_BINARIES.items()}


def cinder_binary(binary):
    return CINDER_BINARIES.get(binary, binary)


class Services(base.Controller):
    def index(self, req, project_id):
        self.context(req, 'service:get_all')
        down = self.conf.blockstore.pool_down_time
        zone = self.conf.blockstore.storage_availability_zone
        wanted = req.GET.get('binary')
        wanted = OUR_BINARIES.get(wanted, wanted)
        found = []
        for row in db_api.list_services(self.db, down):
            if wanted not in (None, row['binary']):
                continue
            if req.GET.get('host') not in (None, row['host']):
                continue
            item = {'binary': cinder_binary(row['binary']), 'host': row['host'], 'zone': zone,
                    'status': 'disabled' if row['disabled'] else 'enabled',
                    'state': 'up' if row['alive'] else 'down',
                    'updated_at': _time(row['updated_at']),
                    'disabled_reason': row['disabled_reason'],
                    'frozen': False, 'replication_status': 'disabled',
                    'active_backend_id': None}
            if self.version(req) >= (3, 7):     # clusters came with 3.7
                item['cluster'] = None
            if self.version(req) >= (3, 49):    # and the backend's own state with 3.49
                item['backend_state'] = 'up' if row['alive'] else 'down'
            found.append(item)
        return {'services': found}


class Hosts(base.Controller):
    """os-hosts (admin): the hosts of the block storage daemons, and the volumes and
    snapshots per project on one volume host."""

    def index(self, req, project_id):
        self.context(req, 'host:get_all')
        zone = self.conf.blockstore.storage_availability_zone
        wanted = req.GET.get('service')
        hosts = []
        for row in db_api.list_services(self.db, self.conf.blockstore.pool_down_time):
            binary = cinder_binary(row['binary'])
            if wanted not in (None, binary, row['binary']):
                continue
            hosts.append({'host_name': row['host'], 'service': binary, 'zone': zone,
                          'service-status': 'available' if row['alive'] else 'unavailable',
                          'service-state': 'disabled' if row['disabled'] else 'enabled',
                          'last-update': _time(row['updated_at'])})
        return {'hosts': hosts}

    def show(self, req, project_id, host):
        self.context(req, 'host:get')
        volume_hosts = {row['host'] for row in db_api.list_services(
            self.db, self.conf.blockstore.pool_down_time)
            if row['binary'] == 'blockstore-volume' and not row['disabled']}
        if host not in volume_hosts:
            raise exceptions.NotFound('Host %s is not a volume host that is enabled.' % host)
        usage = db_api.host_usage(self.db, host)
        total = [sum(values[i] for values in usage.values()) for i in range(4)]

        def resource(project, values):
            return {'resource': {'project': project, 'host': host,
                                 'volume_count': str(values[0]),
                                 'total_volume_gb': str(values[1]),
                                 'snapshot_count': str(values[2]),
                                 'total_snapshot_gb': str(values[3])}}
        return {'host': [resource('(total)', total)] +
                [resource(project, usage[project]) for project in sorted(usage)]}


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


# The API extensions of Cinder v3 that this service serves, listed by GET /extensions.
EXTENSIONS = (
    ('os-availability-zone', 'AvailabilityZones', 'Describe availability zones.'),
    ('backups', 'Backups', 'Backups support.'),
    ('capabilities', 'Capabilities', 'Capabilities support.'),
    ('os-extended-services', 'ExtendedServices', 'Extended services support.'),
    ('os-extended-snapshot-attributes', 'ExtendedSnapshotAttributes',
     'Extended SnapshotAttributes support.'),
    ('os-hosts', 'Hosts', 'Admin-only host administration.'),
    ('qos-specs', 'Qos_specs_manage', 'QoS specs support.'),
    ('os-quota-sets', 'Quotas', 'Quota management support.'),
    ('os-admin-actions', 'AdminActions', 'Enable admin actions.'),
    ('scheduler-stats', 'Scheduler_stats', 'Scheduler stats support.'),
    ('os-services', 'Services', 'Services support.'),
    ('os-snapshot-actions', 'SnapshotActions', 'Enable snapshot manager actions.'),
    ('os-types-manage', 'TypesManage', 'Types manage support.'),
    ('os-types-extra-specs', 'TypesExtraSpecs', 'Type extra specs support.'),
    ('os-volume-actions', 'VolumeActions', 'Enable volume actions.'),
    ('os-vol-host-attr', 'VolumeHostAttribute', 'Expose host as an attribute of a volume.'),
    ('os-vol-image-meta', 'VolumeImageMetadata', 'Show image metadata associated with the '
     'volume.'),
    ('os-vol-mig-status-attr', 'VolumeMigStatusAttribute', 'Expose migration_status as an '
     'attribute of a volume.'),
    ('os-vol-tenant-attr', 'VolumeTenantAttribute', 'Expose the internal project_id as an '
     'attribute of a volume.'),
    ('os-volume-transfer', 'VolumeTransfer', 'Volume transfer management support.'),
    ('os-volume-type-access', 'VolumeTypeAccess', 'Volume type access support.'),
)


class Extensions(base.Controller):
    """The Cinder API extensions served here (all of them are part of v3 itself)."""

    def index(self, req, project_id):
        self.context(req, 'limits:get')
        return {'extensions': [{'alias': alias, 'name': name, 'description': text,
                                'links': [], 'updated': '2013-04-18T00:00:00+00:00'}
                               for alias, name, text in EXTENSIONS]}
