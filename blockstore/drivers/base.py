"""The volume driver interface blockstore-volume's manager calls, and the plain data it passes.

Drivers know nothing of the database or RPC: the manager hands them plain dataclasses
(``Volume``, ``Snapshot``, ``Connector``, ``ImageMeta``) or their dict forms and gets plain
values back (dicts that are JSON-able, so they travel over RPC and into DB columns).
Methods that change what the manager must remember about a volume return a "model update"
dict of volume fields (``provider_location``, ``provider_auth``) the manager stores.
doc: blockstore/drivers/README.md.
"""
import dataclasses
import typing

from common import plaindata
from common import validators

GiB = 1024 ** 3


class VolumeDriverError(Exception):
    """A backend operation failed; the message is fit for a volume's error (no secrets)."""


class InvalidInput(VolumeDriverError):
    """Data given to the driver is unusable (bad id, size, connector, credentials ...)."""


class VolumeNotFound(VolumeDriverError):
    def __init__(self, volume_id):
        super().__init__('volume %s has no data on this backend' % volume_id)
        self.volume_id = volume_id


class SnapshotNotFound(VolumeDriverError):
    def __init__(self, snapshot_id):
        super().__init__('snapshot %s has no data on this backend' % snapshot_id)
        self.snapshot_id = snapshot_id


class VolumeExists(VolumeDriverError):
    """A volume or snapshot with that id already has data here."""


class VolumeBusy(VolumeDriverError):
    """The volume cannot be changed now (snapshots depend on it, it is exported ...)."""


class NotEnoughSpace(VolumeDriverError):
    """The backend has no room for the data."""


class ImageUnacceptable(VolumeDriverError):
    """An image cannot become a volume: checksum, format lie, references, too large."""


class ExportError(VolumeDriverError):
    """The iSCSI export could not be made, changed or removed."""


class BackendUnavailable(VolumeDriverError):
    """The backend (tgtd, the volume group, the volumes directory) cannot be used now."""


def _check(field, func, value, *args):
    return plaindata.checked(InvalidInput, field, func, value, *args)


class _Plain(plaindata.Plain):
    invalid_error = InvalidInput


MAX_SIZE_GB = 64 * 1024


@dataclasses.dataclass
class Volume(_Plain):
    """A volume as the driver needs it.

    ``size`` in GiB.  ``provider_location`` / ``provider_auth`` are what the driver returned
    earlier (``create_export``) and the manager stored; the driver reads them back, e.g. to
    re-create the export with the same credentials after tgtd restarted.
    """
    id: str
    size: int
    provider_location: typing.Optional[str] = None
    provider_auth: typing.Optional[str] = None

    def __post_init__(self):
        _check('volume id', validators.identifier, self.id)
        _check('volume size', validators.integer, self.size, 1, MAX_SIZE_GB)


@dataclasses.dataclass
class Snapshot(_Plain):
    """A snapshot of volume ``volume_id``, which had ``volume_size`` GiB when it was taken."""
    id: str
    volume_id: str
    volume_size: int

    def __post_init__(self):
        _check('snapshot id', validators.identifier, self.id)
        _check('snapshot volume_id', validators.identifier, self.volume_id)
        _check('snapshot volume_size', validators.integer, self.volume_size, 1, MAX_SIZE_GB)


@dataclasses.dataclass
class Connector(_Plain):
    """Who attaches: compute's ``get_volume_connector()`` (extra keys are ignored).

    ``initiator`` is the host's iSCSI initiator name (QEMU logs in with it), ``ip`` the
    address it connects from, ``host`` its name (informational)."""
    initiator: typing.Optional[str] = None
    ip: typing.Optional[str] = None
    host: typing.Optional[str] = None

    def __post_init__(self):
        if self.initiator is not None:
            self.initiator = _check('connector initiator', validators.iscsi_name,
                                    self.initiator)
        if self.ip is not None:
            self.ip = str(_check('connector ip', validators.ip_address, self.ip))
        if self.host is not None:
            self.host = _check('connector host', validators.hostname, self.host)
        if not self.initiator and not self.ip:
            raise InvalidInput('the connector names neither an initiator nor an ip')


@dataclasses.dataclass
class ImageMeta(_Plain):
    """What the image service says about an image a volume is made from."""
    id: str
    disk_format: str
    size: typing.Optional[int] = None
    checksum: typing.Optional[str] = None          # md5
    os_hash_algo: typing.Optional[str] = None
    os_hash_value: typing.Optional[str] = None

    def __post_init__(self):
        _check('image id', validators.identifier, self.id)


ImageFetcher = typing.Callable[[str], typing.Iterable[bytes]]
"""image_fetcher(image_id) -> iterable of byte chunks of the image's data."""


class VolumeDriver:
    """What every volume backend provides.  All methods take the dataclasses above or their
    dict forms; ids are checked before they reach a path or a command.  A failed operation
    leaves nothing half-made (no file, no logical volume, no target)."""

    #: name in the driver registry (blockstore.drivers.DRIVERS)
    driver_name = None
    vendor_name = 'cirrostack'
    driver_version = '1.0'
    storage_protocol = 'iSCSI'

    # -- life of the driver
    def do_setup(self):
        """Prepare the backend (directories, volume group lookup); called once at start."""
        raise NotImplementedError

    def check_for_setup_error(self):
        """Raise BackendUnavailable naming what is missing (tgtd, directory, VG)."""
        raise NotImplementedError

    def get_volume_stats(self, refresh=False):
        """Capacity report for the scheduler (Cinder's shape):
        ``{'volume_backend_name', 'vendor_name', 'driver_version', 'storage_protocol',
        'pools': [{'pool_name', 'total_capacity_gb', 'free_capacity_gb',
        'allocated_capacity_gb', 'provisioned_capacity_gb', 'reserved_percentage',
        'thin_provisioning_support', 'thick_provisioning_support',
        'max_over_subscription_ratio', 'multiattach', 'QoS_support'}]}``; GiB as floats."""
        raise NotImplementedError

    # -- volumes and snapshots
    def create_volume(self, volume):
        """Make an empty (all zeros) volume of ``volume.size`` GiB; returns a model update
        ({} when there is nothing to store)."""
        raise NotImplementedError

    def delete_volume(self, volume):
        """Remove the volume's data (and its export); a volume without data is fine."""
        raise NotImplementedError

    def extend_volume(self, volume, new_size):
        """Grow the volume to ``new_size`` GiB (never shrinks).  Also while exported: the
        export is told the new size, and an attached guest sees it once compute resizes
        its disk (``virDomainBlockResize`` to the new size in bytes)."""
        raise NotImplementedError

    def create_snapshot(self, snapshot):
        """A point-in-time copy of the snapshot's volume; returns a model update.  A volume
        in use is copied while its guest may write (crash-consistent at best): the manager
        allows that only with ``force``, as Cinder does."""
        raise NotImplementedError

    def delete_snapshot(self, snapshot):
        """Remove the snapshot's data; a missing one is fine."""
        raise NotImplementedError

    def create_volume_from_snapshot(self, volume, snapshot):
        """A new volume holding the snapshot's data (``volume.size`` >= the snapshot's
        ``volume_size``; the rest is zeros); returns a model update."""
        raise NotImplementedError

    def create_cloned_volume(self, volume, src_volume):
        """A new volume holding ``src_volume``'s data (``volume.size`` >= its size)."""
        raise NotImplementedError

    def copy_image_to_volume(self, volume, image_meta, image_fetcher):
        """Fill ``volume`` with an image: its data (``image_fetcher(image_meta.id)``) is
        checked against the image's checksum and size, refused if its content is not its
        ``disk_format`` or names other files, then written as raw (qcow2, vmdk, vdi, vhd,
        vhdx converted by qemu-img).  ImageUnacceptable when the image's virtual size
        exceeds the volume."""
        raise NotImplementedError

    def copy_volume_to_image(self, volume, disk_format='raw'):
        """A context manager giving a ``VolumeImageData`` of the volume's data in
        ``disk_format`` (raw or qcow2) for the manager to upload; temporary files go when
        it exits."""
        raise NotImplementedError

    def open_volume(self, volume, mode='rb'):
        """The volume's data as an open binary file (``'rb'`` for backups, ``'r+b'`` for
        restores); the caller closes it."""
        raise NotImplementedError

    # -- export (iSCSI through tgt)
    def create_export(self, volume, connector=None):
        """Make the volume's iSCSI target (per-volume IQN, LUN 1, a CHAP account: new
        random credentials unless ``volume.provider_auth`` holds some); returns the model
        update ``{'provider_location': '<ip>:<port>,1 <iqn> 1', 'provider_auth':
        'CHAP <user> <password>'}`` the manager stores on the volume.  Idempotent."""
        raise NotImplementedError

    def initialize_connection(self, volume, connector):
        """Allow ``connector`` to log in and return the connection info compute consumes:
        ``{'driver_volume_type': 'iscsi', 'data': {'target_iqn', 'target_portal'
        ('ip:port'), 'target_lun', 'auth_method': 'CHAP', 'auth_username',
        'auth_password', 'volume_id'}}``.  Needs ``volume.provider_auth`` from
        ``create_export``; re-creates the target if tgtd lost it."""
        raise NotImplementedError

    def terminate_connection(self, volume, connector):
        """Stop allowing ``connector`` (when its last attachment of the volume goes)."""
        raise NotImplementedError

    def ensure_export(self, volume, connectors=()):
        """After a restart: re-create the volume's target from ``volume.provider_auth``
        (tgtd keeps no targets) and allow each of ``connectors`` again."""
        raise NotImplementedError

    def remove_export(self, volume):
        """Delete the volume's target (dropping sessions) and CHAP account; idempotent."""
        raise NotImplementedError

    # -- finding what has no volume (after a kill -9)
    def list_exports(self):
        """``[{'volume_id', 'target_iqn', 'tid', 'backing_path', 'sessions'}]`` of this
        backend's targets in tgtd."""
        raise NotImplementedError

    def list_volume_data(self):
        """``{'volumes': [ids], 'snapshots': [ids], 'partial': [names]}``: what data this
        backend holds (``partial``: copies a crash interrupted)."""
        raise NotImplementedError

    def cleanup_orphans(self, volume_ids, snapshot_ids, exported_volume_ids=None):
        """Remove what belongs to no volume the manager knows: data of volumes and
        snapshots not in ``volume_ids`` / ``snapshot_ids``, partial copies, and targets of
        volumes not in ``exported_volume_ids`` (None: keep targets of known volumes).
        Returns ``{'volumes': [...], 'snapshots': [...], 'partial': [...], 'targets':
        [...]}`` of what it removed."""
        raise NotImplementedError


@dataclasses.dataclass
class VolumeImageData:
    """A volume's data for upload: read ``path`` (``size`` bytes in ``disk_format``) or
    iterate ``chunks()``."""
    path: str
    disk_format: str
    size: int

    def chunks(self, chunk_size=1024 * 1024):
        with open(self.path, 'rb') as data:
            while True:
                block = data.read(chunk_size)
                if not block:
                    return
                yield block


def volume_of(value):
    return Volume.from_dict(value)


def snapshot_of(value):
    return Snapshot.from_dict(value)


def connector_of(value):
    return Connector.from_dict(value)
