"""What every backend whose volumes are local paths (files, logical volumes) shares:
the iSCSI export through tgt, images into and out of volumes, and finding leftovers.

A subclass says where a volume's and a snapshot's data lie (``local_path``,
``snapshot_path``), which paths are its own (``owns_path``), and what data it holds
(``list_volume_data``); this class exports that path as LUN 1 of target
``<target_prefix>volume-<id>`` with a per-volume CHAP account.
"""
import contextlib
import errno
import logging
import os
import secrets
import string
import threading

from common import diskimage
from common import validators
from common.execute import execute
from blockstore.drivers import base
from blockstore.drivers import tgt as tgt_mod

LOG = logging.getLogger(__name__)

# Image formats qemu-img turns into a raw volume, and formats a volume is uploaded as.
IMAGE_FORMATS = ('raw', 'qcow2', 'vmdk', 'vdi', 'vhd', 'vhdx')
UPLOAD_FORMATS = ('raw', 'qcow2', 'vmdk', 'vdi', 'vhd', 'vhdx')
_ALNUM = string.ascii_letters + string.digits
CHAP_USER_LENGTH = 20
CHAP_PASSWORD_LENGTH = 24
PARTIAL_SUFFIX = '.part'


def new_chap_credentials():
    """(user, password): random letters and digits (nothing tgtadm or libvirt could read
    as a separator)."""
    user = ''.join(secrets.choice(_ALNUM) for _ in range(CHAP_USER_LENGTH))
    password = ''.join(secrets.choice(_ALNUM) for _ in range(CHAP_PASSWORD_LENGTH))
    return user, password


def parse_provider_auth(value):
    """'CHAP <user> <password>' -> (user, password), both checked; None -> None."""
    if value is None:
        return None
    parts = value.split(' ') if isinstance(value, str) else []
    if len(parts) != 3 or parts[0] != 'CHAP':
        raise base.InvalidInput('provider_auth is not "CHAP <user> <password>"')
    try:
        return (tgt_mod.checked_credential(parts[1], 'auth_username'),
                tgt_mod.checked_credential(parts[2], 'auth_password', secret=True))
    except validators.InvalidValue as exc:
        raise base.InvalidInput(str(exc)) from None


def classify_names(names, data_name, partial_name):
    """list_volume_data's answer from the names a backend holds: ``data_name`` matches
    ``(volume|snapshot)-<id>``, ``partial_name`` an interrupted copy."""
    found = {'volumes': [], 'snapshots': [], 'partial': []}
    for name in sorted(names):
        match = data_name.match(name)
        if match:
            found['volumes' if match.group(1) == 'volume' else 'snapshots'].append(
                match.group(2))
        elif partial_name.match(name):
            found['partial'].append(name)
    return found


def _portal(address, port):
    host = str(validators.ip_address(address, 'target_ip_address'))
    return '[%s]:%d' % (host, port) if ':' in host else '%s:%d' % (host, port)


class LocalPathDriver(base.VolumeDriver):
    """Base of the file and lvm drivers (see module doc)."""

    def __init__(self, settings, runner=execute, tgt=None):
        self.settings = settings
        self.runner = runner
        self.tgt = tgt or tgt_mod.TgtAdm(control_port=settings.tgt_control_port)
        # Export changes one at a time: two attachments of one volume at once must not
        # both create its target.
        self._export_lock = threading.RLock()
        self.backend_name = settings.volume_backend_name or self.driver_name
        try:
            self.portal = _portal(settings.target_ip_address, settings.target_port)
            self.target_prefix = settings.target_prefix
            tgt_mod.checked_iqn(self.target_prefix + 'volume-x', 'target_prefix')
        except validators.InvalidValue as exc:
            raise base.BackendUnavailable('backend %s: %s' % (self.backend_name, exc)) from None

    # -- what a subclass provides
    def local_path(self, volume_id):
        raise NotImplementedError

    def snapshot_path(self, snapshot_id):
        raise NotImplementedError

    def owns_path(self, path):
        """Is ``path`` (a target's backing store) one of this backend's?"""
        raise NotImplementedError

    def has_data(self, volume_id):
        """Does the volume have data here?"""
        return os.path.exists(self.local_path(volume_id))

    # -- ids into names
    def volume_path(self, volume):
        return self.local_path(volume.id)

    def target_iqn(self, volume_id):
        validators.identifier(volume_id, 'volume id')
        return '%svolume-%s' % (self.target_prefix, volume_id)

    def _volume_id_of_iqn(self, iqn):
        prefix = self.target_prefix + 'volume-'
        return iqn[len(prefix):] if iqn.startswith(prefix) else None

    # -- checks shared by the drivers
    def _check_tgt(self):
        if not self.tgt.alive():
            raise base.BackendUnavailable(
                'backend %s: the iSCSI target daemon tgtd does not answer (start it with '
                'tools/tgt.sh start)' % self.backend_name)

    def _stats(self, total_bytes, free_bytes, provisioned_bytes, thin):
        """get_volume_stats' report of one pool (this backend)."""
        gib = float(base.GiB)
        pool = {
            'pool_name': self.backend_name,
            'total_capacity_gb': round(total_bytes / gib, 2),
            'free_capacity_gb': round(free_bytes / gib, 2),
            'allocated_capacity_gb': round(provisioned_bytes / gib, 2),
            'provisioned_capacity_gb': round(provisioned_bytes / gib, 2),
            'reserved_percentage': self.settings.reserved_percentage,
            'thin_provisioning_support': thin,
            'thick_provisioning_support': not thin,
            'max_over_subscription_ratio': (self.settings.max_over_subscription_ratio
                                            if thin else 1.0),
            'multiattach': True,
            'QoS_support': False,
        }
        return {'volume_backend_name': self.backend_name, 'vendor_name': self.vendor_name,
                'driver_version': self.driver_version,
                'storage_protocol': self.storage_protocol, 'pools': [pool]}

    @staticmethod
    def _grow_only(volume, new_size):
        base._check('new size', validators.integer, new_size, 1, base.MAX_SIZE_GB)
        if new_size <= volume.size:
            raise base.InvalidInput('volume %s: new size %d GiB is not larger than its size '
                                    '%d GiB' % (volume.id, new_size, volume.size))

    # -- export ----------------------------------------------------------------------
    @contextlib.contextmanager
    def _tgt_errors(self, volume_id):
        try:
            with self._export_lock:
                yield
        except tgt_mod.TgtUnavailable as exc:
            raise base.BackendUnavailable('volume %s: %s' % (volume_id, exc)) from None
        except tgt_mod.TgtError as exc:
            raise base.ExportError('volume %s: %s' % (volume_id, exc)) from None
        except validators.InvalidValue as exc:
            raise base.InvalidInput('volume %s: %s' % (volume_id, exc)) from None

    def _model_update(self, volume, user, password):
        return {'provider_location': '%s,1 %s %d' % (self.portal, self.target_iqn(volume.id),
                                                      tgt_mod.LUN),
                'provider_auth': 'CHAP %s %s' % (user, password)}

    def _rule(self, connector):
        """The tgt access rule of a connector: its initiator name, else its address (tgt
        allows an initiator matching ANY rule, so one rule per connector)."""
        if connector.initiator:
            return ('name', connector.initiator)
        return ('address', connector.ip)

    def _ensure_target(self, volume, user, password, connectors=()):
        """The volume's target, made if missing, with ``user`` bound and ``connectors``
        allowed."""
        path = self.volume_path(volume)
        if not self.has_data(volume.id):
            raise base.VolumeNotFound(volume.id)
        iqn = self.target_iqn(volume.id)
        rules = [self._rule(c) for c in connectors]
        target = self.tgt.find(iqn)
        if target is None:
            return self.tgt.create_target(iqn, path, user, password, rules)
        if target.backing_path != path:
            raise base.ExportError('volume %s: target %s serves %s, not the volume\'s data'
                                   % (volume.id, iqn, target.backing_path))
        if target.accounts != [user]:
            for other in target.accounts:
                if other != user:
                    self.tgt.delete_account(other)
            self.tgt.ensure_account(target.tid, user, password)
        for rule in rules:
            if rule[1] not in target.acl:
                self.tgt.bind_initiator(target.tid, rule)
        return target

    def create_export(self, volume, connector=None):
        volume = base.volume_of(volume)
        connectors = [base.connector_of(connector)] if connector else []
        creds = parse_provider_auth(volume.provider_auth) or new_chap_credentials()
        with self._tgt_errors(volume.id):
            self._ensure_target(volume, *creds, connectors=connectors)
        return self._model_update(volume, *creds)

    def initialize_connection(self, volume, connector):
        volume = base.volume_of(volume)
        connector = base.connector_of(connector)
        creds = parse_provider_auth(volume.provider_auth)
        if creds is None:
            raise base.InvalidInput('volume %s has no export (create_export first)'
                                    % volume.id)
        with self._tgt_errors(volume.id):
            self._ensure_target(volume, *creds, connectors=[connector])
        return {'driver_volume_type': 'iscsi', 'data': {
            'target_iqn': self.target_iqn(volume.id), 'target_portal': self.portal,
            'target_lun': tgt_mod.LUN, 'auth_method': 'CHAP', 'auth_username': creds[0],
            'auth_password': creds[1], 'volume_id': volume.id}}

    def terminate_connection(self, volume, connector):
        volume = base.volume_of(volume)
        connector = base.connector_of(connector)
        with self._tgt_errors(volume.id):
            target = self.tgt.find(self.target_iqn(volume.id))
            if target is not None:
                self.tgt.unbind_initiator(target.tid, self._rule(connector))

    def ensure_export(self, volume, connectors=()):
        volume = base.volume_of(volume)
        connectors = [base.connector_of(c) for c in connectors or ()]
        creds = parse_provider_auth(volume.provider_auth)
        if creds is None:
            raise base.InvalidInput('volume %s has no export to restore (no provider_auth)'
                                    % volume.id)
        with self._tgt_errors(volume.id):
            self._ensure_target(volume, *creds, connectors=connectors)

    def remove_export(self, volume):
        volume = base.volume_of(volume)
        with self._tgt_errors(volume.id):
            target = self.tgt.find(self.target_iqn(volume.id))
            if target is not None:
                self._delete_target(target)

    def _delete_target(self, target):
        self.tgt.delete_target(target.tid)
        for user in target.accounts:
            self.tgt.delete_account(user)
        LOG.info('backend %s: removed target %s', self.backend_name, target.iqn)

    def _refresh_export_size(self, volume):
        """Tell an existing target that the volume grew."""
        with self._tgt_errors(volume.id):
            target = self.tgt.find(self.target_iqn(volume.id))
            if target is not None:
                self.tgt.refresh_lun_size(target.tid, self.volume_path(volume))

    def list_exports(self):
        with self._tgt_errors('*'):
            targets = self.tgt.show()
        found = []
        for target in targets:
            volume_id = self._volume_id_of_iqn(target.iqn)
            if volume_id is None or not (target.backing_path
                                         and self.owns_path(target.backing_path)):
                continue
            found.append({'volume_id': volume_id, 'target_iqn': target.iqn, 'tid': target.tid,
                          'backing_path': target.backing_path,
                          'sessions': list(target.sessions)})
        return found

    # -- leftovers -------------------------------------------------------------------
    def cleanup_orphans(self, volume_ids, snapshot_ids, exported_volume_ids=None):
        volume_ids, snapshot_ids = set(volume_ids), set(snapshot_ids)
        keep_targets = volume_ids if exported_volume_ids is None else set(exported_volume_ids)
        removed = {'volumes': [], 'snapshots': [], 'partial': [], 'targets': []}
        for export in self.list_exports():
            if export['volume_id'] not in keep_targets:
                with self._tgt_errors(export['volume_id']):
                    target = self.tgt.find(export['target_iqn'])
                    if target is not None:
                        self._delete_target(target)
                removed['targets'].append(export['target_iqn'])
        data = self.list_volume_data()
        for volume_id in data['volumes']:
            if volume_id not in volume_ids:
                self._remove_volume_data(volume_id)
                removed['volumes'].append(volume_id)
        for snapshot_id in data['snapshots']:
            if snapshot_id not in snapshot_ids:
                self._remove_snapshot_data(snapshot_id)
                removed['snapshots'].append(snapshot_id)
        for name in data['partial']:
            self._remove_partial(name)
            removed['partial'].append(name)
        if any(removed.values()):
            LOG.warning('backend %s: removed leftovers without a volume: %s',
                        self.backend_name, removed)
        return removed

    def _remove_volume_data(self, volume_id):
        raise NotImplementedError

    def _remove_snapshot_data(self, snapshot_id):
        raise NotImplementedError

    def _remove_partial(self, name):
        raise NotImplementedError

    # -- images ----------------------------------------------------------------------
    def _work_dir(self):
        """Where images are downloaded and converted (root only)."""
        path = self.settings.volumes_dir
        os.makedirs(path, mode=0o700, exist_ok=True)
        return path

    def copy_image_to_volume(self, volume, image_meta, image_fetcher):
        volume = base.volume_of(volume)
        image = base.ImageMeta.from_dict(image_meta)
        if image.disk_format not in IMAGE_FORMATS:
            raise base.ImageUnacceptable('image %s: disk_format %r cannot become a volume '
                                         '(%s)' % (image.id, image.disk_format,
                                                   ', '.join(IMAGE_FORMATS)))
        target = self.volume_path(volume)
        if not self.has_data(volume.id):
            raise base.VolumeNotFound(volume.id)
        tmp = os.path.join(self._work_dir(), '.image-%s%s' % (volume.id, PARTIAL_SUFFIX))
        fmt = diskimage.qemu_format(image.disk_format)
        try:
            with _image_errors(image.id):
                diskimage.download_verified(
                    image_fetcher(image.id), tmp, image.id, image.size, image.checksum,
                    image.os_hash_algo, image.os_hash_value)
                found = diskimage.check_image(tmp, fmt)
                virtual = int(found['virtual-size'])
                if virtual > volume.size * base.GiB:
                    raise base.ImageUnacceptable(
                        'image %s is %d bytes large, more than volume %s (%d GiB)'
                        % (image.id, virtual, volume.id, volume.size))
                diskimage.convert(tmp, fmt, target, 'raw', existing_target=True)
        finally:
            diskimage.remove(tmp)
        LOG.info('backend %s: volume %s holds image %s (%s)', self.backend_name, volume.id,
                 image.id, image.disk_format)
        return {}

    @contextlib.contextmanager
    def copy_volume_to_image(self, volume, disk_format='raw'):
        volume = base.volume_of(volume)
        if disk_format not in UPLOAD_FORMATS:
            raise base.InvalidInput('disk_format %r: volumes upload as %s'
                                    % (disk_format, ', '.join(UPLOAD_FORMATS)))
        path = self.volume_path(volume)
        if not self.has_data(volume.id):
            raise base.VolumeNotFound(volume.id)
        if disk_format == 'raw':
            yield base.VolumeImageData(path, 'raw', self._data_size(path))
            return
        tmp = os.path.join(self._work_dir(), '.upload-%s-%s%s' % (
            volume.id, secrets.token_hex(4), PARTIAL_SUFFIX))
        try:
            with _image_errors(volume.id):
                diskimage.convert(path, 'raw', tmp, diskimage.qemu_format(disk_format))
            os.chmod(tmp, 0o600)
            yield base.VolumeImageData(tmp, disk_format, os.path.getsize(tmp))
        finally:
            diskimage.remove(tmp)

    @staticmethod
    def _data_size(path):
        with open(path, 'rb') as data:
            return data.seek(0, os.SEEK_END)

    def open_volume(self, volume, mode='rb'):
        volume = base.volume_of(volume)
        if mode not in ('rb', 'r+b'):
            raise base.InvalidInput('mode %r: volumes open as rb or r+b' % mode)
        try:
            return open(self.volume_path(volume), mode)
        except FileNotFoundError:
            raise base.VolumeNotFound(volume.id) from None


@contextlib.contextmanager
def _image_errors(image_id):
    try:
        yield
    except diskimage.ImageUnacceptable as exc:
        raise base.ImageUnacceptable(str(exc)) from None
    except diskimage.DiskImageError as exc:
        raise base.VolumeDriverError('image %s: %s' % (image_id, exc)) from None
    except OSError as exc:
        raise os_error(exc, 'image %s' % image_id) from None


def os_error(exc, what):
    """An OSError as the driver's error: no room left is NotEnoughSpace."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return base.NotEnoughSpace('%s: the backend has no room left' % what)
    return base.VolumeDriverError('%s: %s' % (what, exc.strerror or exc))

