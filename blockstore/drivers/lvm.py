"""The lvm backend: each volume is a logical volume of ``volume_group``, exported by tgt
as an iSCSI LUN like the file backend's files.

For hosts with device-mapper.  This machine has none (LVM cannot activate a logical
volume here), so this driver is proven by unit tests of the commands it issues through
its runner, not run.  Two layouts:

- ``lvm_type = default`` (thick): volumes are linear LVs; snapshots are classic LVM
  snapshots (copy-on-write, sized like their origin, so they never fill up); volumes from
  snapshots and clones are full copies (``dd``; a clone copies from a temporary snapshot
  so the source may stay in use).  A volume with snapshots cannot be deleted (LVM would
  take its snapshots with it).  With ``volume_clear = zero`` a volume's or snapshot's
  extents are overwritten with zeros before removal: thick LVs are not zeroed when
  created, so the next volume on those extents could read old data otherwise.
- ``lvm_type = thin``: volumes are thin LVs of ``lvm_thin_pool``; snapshots, volumes from
  snapshots and clones are thin snapshots (no copying, independent of their origin).  The
  pool zeroes newly provisioned blocks (``lvcreate -Zy``, LVM's default for thin pools).
"""
import logging
import os
import re

from common import validators
from common.execute import CommandError
from common.execute import execute
from blockstore.drivers import base
from blockstore.drivers import localpath

LOG = logging.getLogger(__name__)

_VG_NAME = re.compile(r'\A[A-Za-z0-9+_][A-Za-z0-9+_.-]{0,126}\Z')
_LV_NAME = re.compile(r'\A(volume|snapshot)-([A-Za-z0-9][A-Za-z0-9_.-]{0,63})\Z')
_TEMP_NAME = re.compile(r'\Aclone-snap-[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z')
_LVM_TIMEOUT = 120
_COPY_TIMEOUT = 24 * 3600


class LVMDriver(localpath.LocalPathDriver):
    driver_name = 'lvm'

    def __init__(self, settings, runner=execute, tgt=None):
        super().__init__(settings, runner, tgt)
        vg = settings.volume_group
        pool = settings.lvm_thin_pool or '%s-pool' % vg
        if not (isinstance(vg, str) and _VG_NAME.match(vg) and _VG_NAME.match(pool)):
            raise base.BackendUnavailable('backend %s: volume_group / lvm_thin_pool %s is '
                                          'not a valid LVM name' % (self.backend_name,
                                                                    validators.quote(vg)))
        self.vg = vg
        self.pool = pool
        self.thin = settings.lvm_type == 'thin'

    # -- names -----------------------------------------------------------------------
    @staticmethod
    def _lv(kind, object_id):
        base._check('%s id' % kind, validators.identifier, object_id)
        return '%s-%s' % (kind, object_id)

    def local_path(self, volume_id):
        return '/dev/%s/%s' % (self.vg, self._lv('volume', volume_id))

    def snapshot_path(self, snapshot_id):
        return '/dev/%s/%s' % (self.vg, self._lv('snapshot', snapshot_id))

    def owns_path(self, path):
        head, name = os.path.split(path)
        return head == '/dev/%s' % self.vg and bool(_LV_NAME.match(name))

    def _full(self, lv_name):
        return '%s/%s' % (self.vg, lv_name)

    # -- commands --------------------------------------------------------------------
    def _run(self, cmd, what, timeout=_LVM_TIMEOUT):
        try:
            return self.runner(cmd, timeout=timeout)
        except CommandError as exc:
            message = (exc.stderr or '').strip()
            if 'insufficient free space' in message.lower() or 'No space left' in message:
                raise base.NotEnoughSpace('%s: volume group %s has no room left'
                                          % (what, self.vg)) from None
            raise base.VolumeDriverError('%s: %s failed: %s' % (what, cmd[0], message)) \
                from None

    def _lvs(self, fields):
        out = self._run(['lvs', '--noheadings', '--nosuffix', '--units', 'b',
                         '--separator', '|', '-o', fields, self.vg], 'volume group %s'
                        % self.vg)
        return [[part.strip() for part in line.split('|')]
                for line in out.splitlines() if line.strip()]

    def _exists(self, lv_name):
        return any(row[0] == lv_name for row in self._lvs('lv_name'))

    def has_data(self, volume_id):
        return self._exists(self._lv('volume', volume_id))

    def _create_lv(self, lv_name, size_gb, what):
        if self.thin:
            cmd = ['lvcreate', '--yes', '-T', self._full(self.pool), '-V', '%dg' % size_gb,
                   '-n', lv_name]
        else:
            cmd = ['lvcreate', '--yes', '-Zy', '-n', lv_name, '-L', '%dg' % size_gb, self.vg]
        self._run(cmd, what)

    def _thin_snapshot(self, origin, lv_name, what):
        # -kn: a thin snapshot is created "skip activation"; volumes must be active.
        self._run(['lvcreate', '--yes', '-s', '-kn', '-ay', '-n', lv_name,
                   self._full(origin)], what)

    def _copy(self, src, dst, size_gb, what):
        # Every block written (no conv=sparse): a new thick LV may hold old data where a
        # skipped zero block would leave it showing.
        self._run(['dd', 'if=%s' % src, 'of=%s' % dst, 'bs=1M', 'count=%d' % (size_gb * 1024),
                   'iflag=direct', 'oflag=direct'], what, timeout=_COPY_TIMEOUT)

    def _clear(self, lv_name, size_gb, what):
        if self.thin or self.settings.volume_clear != 'zero':
            return
        self._run(['dd', 'if=/dev/zero', 'of=/dev/%s/%s' % (self.vg, lv_name), 'bs=1M',
                   'count=%d' % (size_gb * 1024), 'oflag=direct'], what,
                  timeout=_COPY_TIMEOUT)

    def _remove_lv(self, lv_name, what):
        self._run(['lvremove', '-f', self._full(lv_name)], what)

    def _size_gb(self, lv_name):
        for name, size in self._lvs('lv_name,lv_size'):
            if name == lv_name:
                return -(-int(size) // base.GiB)
        return None

    # -- life ------------------------------------------------------------------------
    def do_setup(self):
        os.makedirs(self.settings.volumes_dir, mode=0o700, exist_ok=True)

    def check_for_setup_error(self):
        try:
            self.runner(['vgs', '--noheadings', '-o', 'vg_name', self.vg],
                        timeout=_LVM_TIMEOUT)
        except CommandError:
            raise base.BackendUnavailable('backend %s: volume group %s is not there'
                                          % (self.backend_name, self.vg)) from None
        if self.thin and not self._exists(self.pool):
            raise base.BackendUnavailable('backend %s: thin pool %s is not in volume group %s'
                                          % (self.backend_name, self.pool, self.vg))
        self._check_tgt()

    def get_volume_stats(self, refresh=False):
        out = self._run(['vgs', '--noheadings', '--nosuffix', '--units', 'b', '--separator',
                         '|', '-o', 'vg_size,vg_free', self.vg], 'volume group %s' % self.vg)
        size, free = (int(part.strip()) for part in out.strip().split('|'))
        provisioned = sum(int(row[1]) for row in self._lvs('lv_name,lv_size')
                          if _LV_NAME.match(row[0]) and row[0].startswith('volume-'))
        if self.thin:
            for name, pool_size, data_percent in self._lvs('lv_name,lv_size,data_percent'):
                if name == self.pool:
                    size = int(pool_size)
                    free = int(size * (1 - float(data_percent or 0) / 100))
        return self._stats(size, free, provisioned, self.thin)

    # -- volumes ---------------------------------------------------------------------
    def create_volume(self, volume):
        volume = base.volume_of(volume)
        lv = self._lv('volume', volume.id)
        if self._exists(lv):
            raise base.VolumeExists('volume %s already has data on this backend' % volume.id)
        self._create_lv(lv, volume.size, 'volume %s' % volume.id)
        return {}

    def delete_volume(self, volume):
        volume = base.volume_of(volume)
        lv = self._lv('volume', volume.id)
        rows = self._lvs('lv_name,origin')
        if not any(row[0] == lv for row in rows):
            self.remove_export(volume)
            return
        if not self.thin:
            dependents = [row[0] for row in rows if len(row) > 1 and row[1] == lv]
            if dependents:
                raise base.VolumeBusy('volume %s has snapshots (%s); delete them first'
                                      % (volume.id, ', '.join(dependents)))
        self.remove_export(volume)
        self._remove_data('volume', volume.id)

    def _remove_data(self, kind, object_id):
        """Clear (thick, volume_clear = zero) and remove the LV of a volume or snapshot;
        a missing one is fine."""
        lv = self._lv(kind, object_id)
        size = self._size_gb(lv)
        if size is not None:
            self._clear(lv, size, '%s %s' % (kind, object_id))
            self._remove_lv(lv, '%s %s' % (kind, object_id))

    def _remove_volume_data(self, volume_id):
        self._remove_data('volume', volume_id)

    def _remove_snapshot_data(self, snapshot_id):
        self._remove_data('snapshot', snapshot_id)

    def _remove_partial(self, name):
        if _TEMP_NAME.match(name):
            self._remove_lv(name, 'temporary snapshot %s' % name)

    def extend_volume(self, volume, new_size):
        volume = base.volume_of(volume)
        self._grow_only(volume, new_size)
        lv = self._lv('volume', volume.id)
        if not self._exists(lv):
            raise base.VolumeNotFound(volume.id)
        self._run(['lvextend', '-L', '%dg' % new_size, self._full(lv)],
                  'volume %s' % volume.id)
        self._refresh_export_size(volume)

    def create_snapshot(self, snapshot):
        snapshot = base.snapshot_of(snapshot)
        origin = self._lv('volume', snapshot.volume_id)
        lv = self._lv('snapshot', snapshot.id)
        if not self._exists(origin):
            raise base.VolumeNotFound(snapshot.volume_id)
        if self.thin:
            self._thin_snapshot(origin, lv, 'snapshot %s' % snapshot.id)
        else:
            size = self._size_gb(origin) or snapshot.volume_size
            self._run(['lvcreate', '--yes', '-s', '-n', lv, '-L', '%dg' % size,
                       self._full(origin)], 'snapshot %s' % snapshot.id)
        return {}

    def delete_snapshot(self, snapshot):
        snapshot = base.snapshot_of(snapshot)
        self._remove_snapshot_data(snapshot.id)

    def _new_from(self, volume, source_lv, source_gb, what):
        """``volume`` as a copy of LV ``source_lv`` (``source_gb`` GiB)."""
        if volume.size < source_gb:
            raise base.InvalidInput('volume %s (%d GiB) is smaller than %s (%d GiB)'
                                    % (volume.id, volume.size, what, source_gb))
        lv = self._lv('volume', volume.id)
        if self._exists(lv):
            raise base.VolumeExists('volume %s already has data on this backend' % volume.id)
        if self.thin:
            self._thin_snapshot(source_lv, lv, 'volume %s' % volume.id)
            if volume.size > source_gb:
                self._run(['lvextend', '-L', '%dg' % volume.size, self._full(lv)],
                          'volume %s' % volume.id)
            return
        self._create_lv(lv, volume.size, 'volume %s' % volume.id)
        try:
            self._copy('/dev/%s/%s' % (self.vg, source_lv), self.local_path(volume.id),
                       source_gb, 'volume %s' % volume.id)
        except base.VolumeDriverError:
            self._remove_lv(lv, 'volume %s' % volume.id)
            raise

    def create_volume_from_snapshot(self, volume, snapshot):
        volume = base.volume_of(volume)
        snapshot = base.snapshot_of(snapshot)
        source = self._lv('snapshot', snapshot.id)
        if not self._exists(source):
            raise base.SnapshotNotFound(snapshot.id)
        self._new_from(volume, source, snapshot.volume_size, 'snapshot %s' % snapshot.id)
        return {}

    def create_cloned_volume(self, volume, src_volume):
        volume = base.volume_of(volume)
        src_volume = base.volume_of(src_volume)
        source = self._lv('volume', src_volume.id)
        if not self._exists(source):
            raise base.VolumeNotFound(src_volume.id)
        size = self._size_gb(source) or src_volume.size
        if self.thin:
            self._new_from(volume, source, size, 'volume %s' % src_volume.id)
            return {}
        # A point-in-time source while the original stays in use.
        temp = 'clone-snap-%s' % self._lv('volume', volume.id)[len('volume-'):]
        self._run(['lvcreate', '--yes', '-s', '-n', temp, '-L', '%dg' % size,
                   self._full(source)], 'volume %s' % volume.id)
        try:
            self._new_from(volume, temp, size, 'volume %s' % src_volume.id)
        finally:
            self._remove_lv(temp, 'volume %s' % volume.id)
        return {}

    def list_volume_data(self):
        return localpath.classify_names([row[0] for row in self._lvs('lv_name')], _LV_NAME,
                                        _TEMP_NAME)
