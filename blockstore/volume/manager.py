"""blockstore-volume: runs one backend's driver for the volumes placed on it.

Every operation ends in a stable state: success gives available / in-use, a failure
``error`` (or ``error_deleting``, ...) with the driver's message as the volume's fault.
At start, work a killed daemon left in a transitional state is settled (see ``_recover``).
"""
import base64
import logging

from blockstore import rpcapi
from blockstore.backup import chunked
from blockstore.backup import objectstore
from blockstore.db import api as db_api
from blockstore.db import groups as groups_db
from blockstore.db import models
from blockstore.db import qos as qos_db
from blockstore.drivers import base
from blockstore import drivers
from blockstore.drivers import settings as settings_mod
from common import client
from common import exceptions
from common import manager
from common import service

LOG = logging.getLogger(__name__)


def backend_settings(conf, group):
    found = settings_mod.BackendSettings.from_conf(conf, group)
    if getattr(conf, group).volume_backend_name is None:
        found.volume_backend_name = found.volume_driver
    return found


def _vol(row):
    return {'id': row['id'], 'size': row['size'],
            'provider_location': row.get('provider_location'),
            'provider_auth': row.get('provider_auth')}


def _fault(exc):
    return str(exc)[:255] or type(exc).__name__


class VolumeManager(manager.Manager):
    def __init__(self, conf, state, host=None, driver=None, image_source=None,
                 backup_store=None, group='backend'):
        self.settings = backend_settings(conf, group)
        super().__init__(conf, '%s@%s' % (host or conf.host,
                                          self.settings.volume_backend_name))
        self.state = state
        self.driver = driver or drivers.load_driver(self.settings.volume_driver,
                                                    self.settings)
        self.images = image_source or state.image_source
        self._backup_store = backup_store

    @property
    def db(self):
        return self.state.db

    # life cycle -------------------------------------------------------------------------
    def init_host(self):
        self.driver.do_setup()
        try:
            self.driver.check_for_setup_error()
        except base.VolumeDriverError as exc:
            LOG.error('backend %s is not usable: %s', self.host, exc)
        self._recover()
        self._restore_exports()
        self._report_capacity()

    def _mine(self, model, *where):
        return db_api.rows(self.db, model, model.host.like(self.host + '#%'), *where)

    def _recover(self):
        """Settle what a killed daemon left half done, then remove data nobody owns."""
        vol = models.Volume
        for row in self._mine(vol, vol.status.in_(('creating', 'downloading',
                                                   'restoring-backup'))):
            db_api.update(self.db, vol, row['id'], status='error',
                          fault='interrupted by a restart of the volume service')
        for row in self._mine(vol, vol.status == 'deleting'):
            self.delete_volume(None, row['id'])
        for row in self._mine(vol, vol.migration_status == 'migrating'):
            self._set(vol, row['id'], migration_status='error')  # the copy was cut short
        for row in self._mine(vol, vol.status.in_(('extending', 'backing-up', 'uploading',
                                                   'attaching', 'detaching', 'reserved',
                                                   'maintenance'))):
            attached = db_api.count(self.db, models.Attachment,
                                    models.Attachment.volume_id == row['id'],
                                    models.Attachment.attach_status == 'attached')
            db_api.update(self.db, vol, row['id'],
                          status='in-use' if attached else 'available')
        snap = models.Snapshot
        for row in self._mine(snap, snap.status == 'creating'):
            db_api.update(self.db, snap, row['id'], status='error')
        for row in self._mine(snap, snap.status == 'deleting'):
            self.delete_snapshot(None, row['id'])
        self._recover_groups()
        bak = models.Backup
        for row in db_api.rows(self.db, bak, bak.host == self.host,
                               bak.status.in_(('creating', 'restoring'))):
            db_api.update(self.db, bak, row['id'],
                          status='error' if row['status'] == 'creating' else 'available',
                          fail_reason='interrupted by a restart of the volume service')
        for row in db_api.rows(self.db, bak, bak.host == self.host, bak.status == 'deleting'):
            self.delete_backup(None, row['id'])
        volumes = [r['id'] for r in self._mine(vol)]
        snapshots = [r['id'] for r in self._mine(snap)]
        exported = [r['id'] for r in self._mine(vol, vol.provider_auth.isnot(None))]
        try:
            removed = self.driver.cleanup_orphans(volumes, snapshots, exported)
            if removed:
                LOG.info('removed orphans: %s', removed)
        except base.VolumeDriverError as exc:
            LOG.error('orphan cleanup failed: %s', exc)

    def _recover_groups(self):
        """Group work a killed daemon left: creations end in error, deletions finish."""
        for model, deleting in ((models.GroupSnapshot, self.delete_group_snapshot),
                                (models.Group, self.delete_group)):
            for row in self._mine(model, model.status == 'creating'):
                db_api.update(self.db, model, row['id'], status='error')
            for row in self._mine(model, model.status == 'deleting'):
                deleting(None, row['id'])

    def _restore_exports(self):
        """tgtd keeps nothing across its restarts: export again what compute uses."""
        vol = models.Volume
        for row in self._mine(vol, vol.provider_auth.isnot(None)):
            connectors = [a['connector'] for a in db_api.rows(
                self.db, models.Attachment, models.Attachment.volume_id == row['id'])
                if a['connector']]
            try:
                self.driver.ensure_export(_vol(row), connectors)
            except base.VolumeDriverError as exc:
                LOG.error('volume %s: export not restored: %s', row['id'], exc)

    @service.periodic_task(spacing=10)
    def _report_capacity(self):
        try:
            stats = self.driver.get_volume_stats(refresh=True)
        except base.VolumeDriverError as exc:
            LOG.warning('no capacity report: %s', exc)
            return
        zone = self.conf.blockstore.storage_availability_zone
        for pool in stats['pools']:
            db_api.report_pool(self.db, {
                'name': '%s#%s' % (self.host, pool['pool_name']), 'host': self.host,
                'backend_name': stats['volume_backend_name'], 'availability_zone': zone,
                'total_capacity_gb': float(pool['total_capacity_gb']),
                'free_capacity_gb': float(pool['free_capacity_gb']),
                'reserved_percentage': int(pool['reserved_percentage']),
                'max_over_subscription_ratio': float(pool['max_over_subscription_ratio']),
                'thin': bool(pool['thin_provisioning_support']),
                'capabilities': dict(pool, storage_protocol=stats['storage_protocol'],
                                     vendor_name=stats['vendor_name'],
                                     driver_version=stats['driver_version'],
                                     volume_backend_name=stats['volume_backend_name'])})

    # volumes ----------------------------------------------------------------------------
    def _set(self, model, ident, **values):
        try:
            return db_api.update(self.db, model, ident, **values)
        except exceptions.NotFound:
            return None

    def create_volume(self, ctx, volume_id):
        try:
            row = db_api.get_volume(self.db, volume_id)
        except exceptions.NotFound:
            return
        if row['status'] != 'creating':
            return  # settled meanwhile (a redelivered request after a restart)
        volume = _vol(row)
        try:
            if row['snapshot_id']:
                snap = db_api.get_snapshot(self.db, row['snapshot_id'])
                self.driver.create_volume_from_snapshot(volume, {
                    'id': snap['id'], 'volume_id': snap['volume_id'],
                    'volume_size': snap['size']})
            elif row['source_volid']:
                src = db_api.get_volume(self.db, row['source_volid'])
                self.driver.create_cloned_volume(volume, _vol(src))
            elif row['image_id']:
                self._set(models.Volume, volume_id, status='downloading')
                meta = self.images.meta(row['image_id'])
                self.driver.create_volume(volume)
                try:
                    self.driver.copy_image_to_volume(
                        volume, {k: meta[k] for k in ('id', 'disk_format', 'size', 'checksum',
                                                      'os_hash_algo', 'os_hash_value')},
                        self.images.fetch)
                except Exception:
                    self.driver.delete_volume(volume)  # no half-filled volume stays
                    raise
            else:
                self.driver.create_volume(volume)
        except (base.VolumeDriverError, client.ClientError, exceptions.NotFound) as exc:
            LOG.warning('volume %s not created: %s', volume_id, exc)
            self._set(models.Volume, volume_id, status='error', fault=_fault(exc))
            self._report_capacity()
            return
        self._set(models.Volume, volume_id, status='available', fault=None)

    def delete_volume(self, ctx, volume_id, cascade=False):
        try:
            row = db_api.get_volume(self.db, volume_id)
        except exceptions.NotFound:
            return
        try:
            if cascade:
                for snap in db_api.rows(self.db, models.Snapshot,
                                        models.Snapshot.volume_id == volume_id):
                    self.driver.delete_snapshot({'id': snap['id'], 'volume_id': volume_id,
                                                 'volume_size': snap['size']})
                    db_api.delete_row(self.db, models.Snapshot, snap['id'])
            self.driver.remove_export(_vol(row))
            self.driver.delete_volume(_vol(row))
        except base.VolumeDriverError as exc:
            LOG.warning('volume %s not deleted: %s', volume_id, exc)
            self._set(models.Volume, volume_id, status='error_deleting', fault=_fault(exc))
            return
        db_api.delete_row(self.db, models.Volume, volume_id)
        self._report_capacity()

    def extend_volume(self, ctx, volume_id, new_size):
        row = db_api.get_volume(self.db, volume_id)
        try:
            self.driver.extend_volume(_vol(row), new_size)
        except base.VolumeDriverError as exc:
            self._set(models.Volume, volume_id, status='error_extending', fault=_fault(exc))
            return
        attached = db_api.count(self.db, models.Attachment,
                                models.Attachment.volume_id == volume_id,
                                models.Attachment.attach_status == 'attached')
        self._set(models.Volume, volume_id, size=new_size,
                  status='in-use' if attached else 'available')
        self._report_capacity()

    def copy_volume_to_image(self, ctx, volume_id, image_id, disk_format):
        row = db_api.get_volume(self.db, volume_id)
        try:
            with self.driver.copy_volume_to_image(_vol(row), disk_format) as data:
                self.images.upload(image_id, data)
        except (base.VolumeDriverError, client.ClientError, OSError) as exc:
            LOG.warning('volume %s: upload to image %s failed: %s', volume_id, image_id, exc)
            self.images.delete(image_id)  # no queued image without data stays behind
        self._after_backup(volume_id)

    # snapshots ------------------------------------------------------------------------
    def create_snapshot(self, ctx, snapshot_id):
        snap = db_api.get_snapshot(self.db, snapshot_id)
        try:
            self.driver.create_snapshot({'id': snap['id'], 'volume_id': snap['volume_id'],
                                         'volume_size': snap['size']})
        except base.VolumeDriverError as exc:
            LOG.warning('snapshot %s not created: %s', snapshot_id, exc)
            self._set(models.Snapshot, snapshot_id, status='error')
            return
        self._set(models.Snapshot, snapshot_id, status='available', progress='100%')

    def delete_snapshot(self, ctx, snapshot_id):
        try:
            snap = db_api.get_snapshot(self.db, snapshot_id)
            self.driver.delete_snapshot({'id': snap['id'], 'volume_id': snap['volume_id'],
                                         'volume_size': snap['size']})
        except exceptions.NotFound:
            return
        except base.VolumeDriverError as exc:
            LOG.warning('snapshot %s not deleted: %s', snapshot_id, exc)
            self._set(models.Snapshot, snapshot_id, status='error_deleting')
            return
        db_api.delete_row(self.db, models.Snapshot, snapshot_id)

    # migration (host-assisted copy: this daemon streams the data to the destination's) ----
    MIGRATION_CHUNK = 1024 * 1024

    def migrate_volume(self, ctx, volume_id, destination):
        """Copy the volume to ``destination`` (a pool of another backend), then make
        that its host and remove the data here; a failure leaves it here, with
        migration_status ``error``."""
        row = db_api.get_volume(self.db, volume_id)
        target = rpcapi.VolumeAPI(self.state.transport,
                                  timeout=self.conf.blockstore.rpc_timeout)
        try:
            target.create_migration_target(ctx, destination, volume_id)
            with self.driver.open_volume(_vol(row), 'rb') as source:
                offset = 0
                while True:
                    chunk = source.read(self.MIGRATION_CHUNK)
                    if not chunk:
                        break
                    if chunk.count(0) != len(chunk):  # the new volume is zeros already
                        target.write_migration_data(ctx, destination, volume_id, offset,
                                                    base64.b64encode(chunk).decode())
                    offset += len(chunk)
        except Exception as exc:  # noqa: the volume must not stay locked, whatever failed
            LOG.warning('volume %s: migration to %s failed: %s', volume_id, destination, exc)
            try:
                target.delete_migration_target(ctx, destination, volume_id)
            except Exception as cleanup:  # noqa: best effort, the orphan sweep ends it
                LOG.warning('volume %s: copy on %s not removed: %s', volume_id,
                            destination, cleanup)
            self._set(models.Volume, volume_id, status=row['previous_status'] or 'available',
                      migration_status='error')
            return
        self._set(models.Volume, volume_id, host=destination, migration_status='success',
                  status=row['previous_status'] or 'available', provider_location=None,
                  provider_auth=None)
        try:
            self.driver.remove_export(_vol(row))
            self.driver.delete_volume(_vol(row))
        except base.VolumeDriverError as exc:  # the orphan sweep at start removes it
            LOG.warning('volume %s: source copy not removed: %s', volume_id, exc)
        self._report_capacity()
        LOG.info('volume %s migrated to %s', volume_id, destination)

    def _migrating_here(self, volume_id):
        row = db_api.get_volume(self.db, volume_id)
        if row['migration_status'] != 'migrating' or \
                rpcapi.backend_host(row['host']) == self.host:
            raise exceptions.BadRequest('Volume %s is not migrating to %s.'
                                        % (volume_id, self.host))
        return row

    def create_migration_target(self, ctx, volume_id):
        row = self._migrating_here(volume_id)
        try:
            self.driver.create_volume(_vol(dict(row, provider_location=None,
                                                provider_auth=None)))
        except base.VolumeDriverError as exc:
            raise exceptions.BadRequest('Cannot create the migration target: %s' % exc)

    def write_migration_data(self, ctx, volume_id, offset, data):
        row = self._migrating_here(volume_id)
        chunk = base64.b64decode(data)
        if offset < 0 or offset + len(chunk) > row['size'] * base.GiB:
            raise exceptions.BadRequest('Migration data beyond the volume\'s end.')
        with self.driver.open_volume(_vol(dict(row, provider_location=None)), 'r+b') as f:
            f.seek(offset)
            f.write(chunk)

    def delete_migration_target(self, ctx, volume_id):
        row = db_api.get_volume(self.db, volume_id)
        if rpcapi.backend_host(row['host']) != self.host:
            self.driver.delete_volume(_vol(dict(row, provider_location=None)))

    # generic volume groups ------------------------------------------------------------
    # A group is a grouping in the database placed on this pool; its work here is on the
    # volumes and snapshots it holds.
    def create_group(self, ctx, group_id):
        try:
            db_api.transition(self.db, models.Group, group_id, {'creating'},
                              {'status': 'available'}, what='Group')
        except exceptions.APIError as exc:  # gone or settled meanwhile
            LOG.info('group %s not made available: %s', group_id, exc)

    def create_group_from_src(self, ctx, group_id):
        """Create the group's new volumes (from the group snapshot's snapshots or the
        source group's volumes); the group is available when all of them are."""
        for vol in groups_db.volumes(self.db, group_id):
            if vol['status'] == 'creating':
                self.create_volume(ctx, vol['id'])
        failed = [v['id'] for v in groups_db.volumes(self.db, group_id)
                  if v['status'] != 'available']
        if failed:
            LOG.warning('group %s: volumes %s not created', group_id, failed)
        self._set(models.Group, group_id, status='error' if failed else 'available')
        self._report_capacity()

    def delete_group(self, ctx, group_id):
        failed = False
        for vol in groups_db.volumes(self.db, group_id):
            try:
                self.driver.remove_export(_vol(vol))
                self.driver.delete_volume(_vol(vol))
            except base.VolumeDriverError as exc:
                LOG.warning('volume %s of group %s not deleted: %s', vol['id'], group_id,
                            exc)
                self._set(models.Volume, vol['id'], status='error_deleting',
                          fault=_fault(exc))
                failed = True
                continue
            db_api.delete_row(self.db, models.Volume, vol['id'])
        if failed:
            self._set(models.Group, group_id, status='error_deleting')
        else:
            db_api.delete_row(self.db, models.Group, group_id)
        self._report_capacity()

    def create_group_snapshot(self, ctx, group_snapshot_id):
        """A snapshot of every volume of the group, one after the other in this request
        (no guest-level freeze: an in-use volume's snapshot is crash-consistent only)."""
        failed = False
        for snap in groups_db.snapshots_of(self.db, group_snapshot_id):
            if failed:
                self._set(models.Snapshot, snap['id'], status='error')
                continue
            self.create_snapshot(ctx, snap['id'])
            failed = db_api.get_snapshot(self.db, snap['id'])['status'] != 'available'
        self._set(models.GroupSnapshot, group_snapshot_id,
                  status='error' if failed else 'available')

    def delete_group_snapshot(self, ctx, group_snapshot_id):
        for snap in groups_db.snapshots_of(self.db, group_snapshot_id):
            self.delete_snapshot(ctx, snap['id'])
        if groups_db.snapshots_of(self.db, group_snapshot_id):
            self._set(models.GroupSnapshot, group_snapshot_id, status='error_deleting')
        else:
            db_api.delete_row(self.db, models.GroupSnapshot, group_snapshot_id)

    # connections (calls: compute waits for the answer) ------------------------------------
    def initialize_connection(self, ctx, volume_id, connector):
        row = db_api.get_volume(self.db, volume_id)
        try:
            update = self.driver.create_export(_vol(row), connector)
            row = self._set(models.Volume, volume_id, **update) or row
            info = self.driver.initialize_connection(_vol(row), connector)
        except base.InvalidInput as exc:
            raise exceptions.BadRequest('Invalid connector: %s' % exc)
        except base.VolumeDriverError as exc:
            raise exceptions.APIError('Unable to export volume %s: %s' % (volume_id, exc))
        info['data']['access_mode'] = 'ro' if row.get('readonly') else 'rw'
        # Front-end QoS is the hypervisor's to enforce: it travels with the connection.
        info['data']['qos_specs'] = qos_db.front_end_specs(self.db, row['volume_type_id'])
        return info

    def terminate_connection(self, ctx, volume_id, connector, remove_export=False):
        row = db_api.get_volume(self.db, volume_id)
        try:
            if connector:
                self.driver.terminate_connection(_vol(row), connector)
            if remove_export:
                self.driver.remove_export(_vol(row))
                self._set(models.Volume, volume_id, provider_auth=None,
                          provider_location=None)
        except base.InvalidInput as exc:
            raise exceptions.BadRequest('Invalid connector: %s' % exc)
        except base.VolumeDriverError as exc:
            raise exceptions.APIError('Unable to end the export of %s: %s' % (volume_id, exc))

    # backups (the backup role: data is read and written where it lives) ---------------------
    @property
    def backups(self):
        if self._backup_store is None:
            session = client.service_session(self.conf, 'service_user')
            self._backup_store = objectstore.SwiftObjectStore(session)
        bs = self.conf.blockstore
        return chunked.ChunkedBackupDriver(self._backup_store, container=bs.backup_container,
                                           chunk_size=bs.backup_chunk_size,
                                           compression=bs.backup_compression)

    def _after_backup(self, volume_id):
        attached = db_api.count(self.db, models.Attachment,
                                models.Attachment.volume_id == volume_id,
                                models.Attachment.attach_status == 'attached')
        self._set(models.Volume, volume_id, status='in-use' if attached else 'available')

    def create_backup(self, ctx, backup_id):
        bak = db_api.get_backup(self.db, backup_id)
        row = db_api.get_volume(self.db, bak['volume_id'])
        try:
            with self.driver.open_volume(_vol(row), 'rb') as source:
                result = self.backups.backup(backup_id, row['id'], source,
                                             row['size'] * base.GiB,
                                             parent_id=bak['parent_id'])
        except (base.VolumeDriverError, chunked.BackupError, objectstore.ObjectStoreError,
                client.ClientError, OSError) as exc:
            LOG.warning('backup %s failed: %s', backup_id, exc)
            self._after_backup(row['id'])
            self._set(models.Backup, backup_id, status='error', fail_reason=_fault(exc))
            return
        # The volume is given back before the backup shows its end: a client that sees the
        # backup available finds the volume usable again (as with Cinder).
        self._after_backup(row['id'])
        self._set(models.Backup, backup_id, status='available',
                  object_count=result['chunks'], container=result['container'])

    def restore_backup(self, ctx, backup_id, volume_id, create=False):
        bak = db_api.get_backup(self.db, backup_id)
        row = db_api.get_volume(self.db, volume_id)
        try:
            if create:  # a new volume made for the restore
                self.driver.create_volume(_vol(row))
            with self.driver.open_volume(_vol(row), 'r+b') as target:
                self.backups.restore(backup_id, bak['volume_id'], target,
                                     row['size'] * base.GiB)
        except (base.VolumeDriverError, chunked.BackupError, objectstore.ObjectStoreError,
                client.ClientError, OSError) as exc:
            LOG.warning('restore of %s failed: %s', backup_id, exc)
            self._set(models.Volume, volume_id, status='error_restoring', fault=_fault(exc))
            self._set(models.Backup, backup_id, status='available')
            return
        self._set(models.Volume, volume_id, status='available')
        self._set(models.Backup, backup_id, status='available', restore_volume_id=None)

    def delete_backup(self, ctx, backup_id):
        try:
            bak = db_api.get_backup(self.db, backup_id)
        except exceptions.NotFound:
            return
        try:
            self.backups.delete(backup_id, bak['volume_id'])
        except (chunked.BackupError, objectstore.ObjectStoreError, client.ClientError) as exc:
            self._set(models.Backup, backup_id, status='error_deleting',
                      fail_reason=_fault(exc))
            return
        db_api.delete_row(self.db, models.Backup, backup_id)
