"""The virt driver interface compute-worker's manager calls, and the plain data it passes.

Drivers know nothing of the database or RPC: the manager hands them plain dataclasses
(``Instance``, ``Flavor``, ``ImageMeta``, ``VIF``, ``BlockDeviceInfo``) and gets plain
values back.  Every dataclass converts to and from JSON-able dicts (``to_dict`` /
``from_dict``), so the same shapes travel over RPC.  doc: compute/drivers/README.md.
"""
import base64
import binascii
import dataclasses
import typing

from common import plaindata
from common import validators


class VirtError(Exception):
    """A hypervisor operation failed; the message is fit for a server fault."""


class InstanceNotFound(VirtError):
    def __init__(self, uuid):
        super().__init__('instance %s has no domain on this host' % uuid)
        self.uuid = uuid


class InstanceExists(VirtError):
    def __init__(self, uuid):
        super().__init__('instance %s already has a domain on this host' % uuid)


class InvalidInput(VirtError):
    """Data given to the driver is unusable (bad id, MAC, size, image property ...)."""


class ImageUnacceptable(VirtError):
    """The image cannot be used: checksum mismatch, unsupported or hostile format."""


class FlavorDiskTooSmall(VirtError):
    """The flavor's root disk is smaller than the image's virtual size."""


class InvalidState(VirtError):
    """The guest is not in a state that allows the operation."""


class HypervisorUnavailable(VirtError):
    """The hypervisor (libvirtd) cannot be reached."""


class ConsoleNotAvailable(VirtError):
    """The guest has no console of the requested kind right now."""


def _check(field, func, value, *args):
    return plaindata.checked(InvalidInput, field, func, value, *args)


class _Plain(plaindata.Plain):
    """to_dict/from_dict for the dataclasses below (nested ones included)."""

    invalid_error = InvalidInput


@dataclasses.dataclass
class Flavor(_Plain):
    """Sizes of a server.  root_gb 0 means "as large as the image"."""
    id: str
    name: str
    vcpus: int
    memory_mb: int
    root_gb: int
    ephemeral_gb: int = 0
    swap_mb: int = 0
    extra_specs: dict = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        _check('flavor vcpus', validators.integer, self.vcpus, 1, 1024)
        _check('flavor memory_mb', validators.integer, self.memory_mb, 16, 16 * 1024 * 1024)
        _check('flavor root_gb', validators.integer, self.root_gb, 0, 65536)
        _check('flavor ephemeral_gb', validators.integer, self.ephemeral_gb, 0, 65536)
        _check('flavor swap_mb', validators.integer, self.swap_mb, 0, 1024 * 1024)


@dataclasses.dataclass
class ImageMeta(_Plain):
    """What the image service says about an image.  properties holds hw_* hints."""
    id: str
    name: str = ''
    disk_format: str = 'qcow2'
    container_format: str = 'bare'
    size: typing.Optional[int] = None
    checksum: typing.Optional[str] = None          # md5 hex
    os_hash_algo: typing.Optional[str] = None      # e.g. sha512
    os_hash_value: typing.Optional[str] = None
    min_disk: int = 0
    min_ram: int = 0
    properties: dict = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        _check('image id', validators.identifier, self.id)


@dataclasses.dataclass
class FixedIP(_Plain):
    """One address of a port, with what a guest needs to know of its subnet."""
    address: str
    cidr: str = ''
    gateway: typing.Optional[str] = None
    version: int = 4
    enable_dhcp: bool = True
    subnet_id: str = ''
    dns_nameservers: list = dataclasses.field(default_factory=list)
    host_routes: list = dataclasses.field(default_factory=list)   # [{destination, nexthop}]


@dataclasses.dataclass
class VIF(_Plain):
    """A port of the server: the driver makes its tap; the bridge agent plugs the tap."""
    port_id: str
    mac: str
    network_id: str = ''
    mtu: typing.Optional[int] = None
    fixed_ips: typing.List[FixedIP] = dataclasses.field(default_factory=list)
    model: str = 'virtio'
    vif_type: str = 'bridge'

    def __post_init__(self):
        _check('port id', validators.uuid, self.port_id, True)
        self.port_id = self.port_id.lower()
        self.mac = _check('port mac_address', validators.mac_address, self.mac, True)
        if self.mtu is not None:
            _check('network mtu', validators.integer, self.mtu, 68, 65535)

    @property
    def tap_name(self):
        """The device name the network bridge agent waits for: 'tap' + port id[:11]."""
        return 'tap' + self.port_id[:11]


@dataclasses.dataclass
class VolumeAttachment(_Plain):
    """A block storage volume attached to the server.

    connection_info is what block storage returns for the host's connector, e.g.
    {'driver_volume_type': 'iscsi', 'data': {'target_iqn', 'target_portal', 'target_lun',
    'auth_method': 'CHAP', 'auth_username', 'auth_password', 'volume_id'}}.
    """
    volume_id: str
    connection_info: dict
    device_name: typing.Optional[str] = None     # 'vdb' or '/dev/vdb'; None: next free
    boot_index: typing.Optional[int] = None      # 0: the server boots from this volume

    def __post_init__(self):
        _check('volume id', validators.identifier, self.volume_id)


@dataclasses.dataclass
class BlockDeviceInfo(_Plain):
    """Volumes to attach at boot (ephemeral and swap disks come from the flavor)."""
    volumes: typing.List[VolumeAttachment] = dataclasses.field(default_factory=list)

    def root_volume(self):
        """The volume the server boots from (no local root disk then), or None."""
        for volume in self.volumes:
            if volume.boot_index == 0:
                return volume
        return None


@dataclasses.dataclass
class Instance(_Plain):
    """A server as the driver needs it.  ``name`` is the hypervisor's name of the guest
    (instance-<uuid>); ``display_name`` and ``hostname`` are the server's as the compute
    API shows them (what the guest learns from its metadata)."""
    uuid: str
    name: str
    flavor: Flavor
    hostname: str = ''
    display_name: str = ''
    project_id: str = ''
    user_id: str = ''
    image_ref: str = ''
    metadata: dict = dataclasses.field(default_factory=dict)
    public_keys: dict = dataclasses.field(default_factory=dict)   # key name -> public key
    user_data: typing.Optional[bytes] = None                    # decoded (not base64)
    config_drive: bool = False
    availability_zone: typing.Optional[str] = None
    launch_index: int = 0
    reservation_id: str = ''
    security_groups: list = dataclasses.field(default_factory=list)
    created_at: typing.Optional[str] = None

    def __post_init__(self):
        self.uuid = _check('instance uuid', validators.uuid, self.uuid, True)
        if isinstance(self.user_data, str):
            self.user_data = self.user_data.encode('utf-8')

    @property
    def ec2_id(self):
        """An EC2-style instance id derived from the UUID (stable, unique enough per cloud)."""
        return 'i-' + self.uuid.replace('-', '')[:8]

    def to_dict(self):
        """JSON-able form; user_data travels base64-encoded, as the compute API carries it."""
        data = super().to_dict()
        if self.user_data is not None:
            data['user_data'] = base64.b64encode(self.user_data).decode('ascii')
        return data

    @classmethod
    def from_dict(cls, data):
        if isinstance(data, dict) and isinstance(data.get('user_data'), str):
            try:
                raw = base64.b64decode(data['user_data'], validate=True)
            except (ValueError, binascii.Error):
                raise InvalidInput('instance user_data must be base64') from None
            data = dict(data, user_data=raw)
        return super().from_dict(data)


@dataclasses.dataclass
class InstanceInfo(_Plain):
    state: int                 # compute.drivers.power_state
    memory_mb: int = 0
    vcpus: int = 0
    cpu_time_ns: int = 0


@dataclasses.dataclass
class ConsoleEndpoint(_Plain):
    """Where a console listens on the hypervisor host (the proxy connects there)."""
    host: str
    port: int
    kind: str = 'vnc'


@dataclasses.dataclass
class SnapshotResult(_Plain):
    """A standalone disk image the caller uploads to the image service."""
    path: str
    disk_format: str
    container_format: str
    size: int
    virtual_size: int


@dataclasses.dataclass
class HostResources(_Plain):
    """What the host offers and uses (the hypervisor record of the compute API)."""
    vcpus: int
    memory_mb: int
    local_gb: int
    vcpus_used: int
    memory_mb_used: int
    local_gb_used: int
    hypervisor_type: str
    hypervisor_version: int
    hypervisor_hostname: str
    cpu_info: dict
    disk_available_least: int
    running_vms: int = 0
    virt_type: str = ''


def uuid_of(instance):
    """UUID of an Instance, of its dict form, or of a UUID string (validated)."""
    if isinstance(instance, Instance):
        return instance.uuid
    if isinstance(instance, dict):
        instance = instance.get('uuid')
    return _check('instance uuid', validators.uuid, instance, True)


ImageFetcher = typing.Callable[[str], typing.Iterable[bytes]]
"""image_fetcher(image_id) -> iterable of byte chunks of the image's data."""


class ComputeDriver:
    """What every virt driver implements.  Each method is called for one server at a
    time (the manager serialises operations per server).  Methods raise VirtError
    subclasses; anything they made before failing is cleaned up.
    """

    # Life cycle of the host.
    def init_host(self, host):
        """Connect to the hypervisor and prepare local state; called once at start."""
        raise NotImplementedError

    def get_available_resource(self):
        """HostResources of this host right now."""
        raise NotImplementedError

    def list_instances(self):
        """UUIDs of the servers this driver has domains for on this host."""
        raise NotImplementedError

    def list_instance_power_states(self):
        """{uuid: power_state} for every domain of ours (for the power-state sync task)."""
        raise NotImplementedError

    def get_info(self, instance):
        """InstanceInfo of the server's domain; InstanceNotFound when there is none."""
        raise NotImplementedError

    def get_volume_connector(self):
        """{'initiator': iqn, 'host': name, 'ip': address} for block storage exports."""
        raise NotImplementedError

    # Building and removing.
    def spawn(self, instance, image_meta, network_info, block_device_info=None,
              image_fetcher=None, paused=False):
        """Create disks, config drive, taps and the domain, and start it (paused if asked:
        the caller then waits for network-vif-plugged and calls ``resume_spawned``)."""
        raise NotImplementedError

    def resume_spawned(self, instance):
        """Let a guest spawned paused run (no-op when it already runs)."""
        raise NotImplementedError

    def destroy(self, instance, network_info=None, block_device_info=None, keep_disks=False):
        """Remove the domain, its taps, volume secrets, console log and (unless keep_disks)
        its disks.  Removing what is already gone is not an error."""
        raise NotImplementedError

    def rebuild(self, instance, image_meta, network_info, block_device_info=None,
                image_fetcher=None, preserve_ephemeral=False):
        """Replace the root disk with a fresh one from image_meta and boot it."""
        raise NotImplementedError

    # Power.
    def reboot(self, instance, network_info, reboot_type='SOFT', block_device_info=None):
        """'SOFT' (the guest shuts down, then starts) or 'HARD' (power cycle); returns what
        was done: a soft reboot the guest ignores becomes 'HARD'."""
        raise NotImplementedError

    def power_off(self, instance, timeout=None):
        """Ask the guest to shut down (ACPI) for up to ``timeout`` seconds (None: the
        driver's shutdown_timeout), then pull the plug; 0 pulls it at once.  Returns True
        when the guest shut down by itself."""
        raise NotImplementedError

    def power_on(self, instance, network_info, block_device_info=None):
        raise NotImplementedError

    def pause(self, instance):
        raise NotImplementedError

    def unpause(self, instance):
        raise NotImplementedError

    def suspend(self, instance):
        """Save the guest's memory to disk and stop it."""
        raise NotImplementedError

    def resume(self, instance, network_info, block_device_info=None):
        """Restore a suspended guest."""
        raise NotImplementedError

    # Rescue, snapshot, resize.
    def rescue(self, instance, network_info, image_meta, rescue_image_meta=None,
               image_fetcher=None, block_device_info=None):
        """Boot a fresh disk of the rescue image (default: the server's image_meta) with the
        server's root disk second; the definition before rescue is kept for unrescue."""
        raise NotImplementedError

    def unrescue(self, instance, network_info=None):
        raise NotImplementedError

    def snapshot(self, instance, target_path):
        """Write the root disk as a standalone qcow2 file; return SnapshotResult."""
        raise NotImplementedError

    def resize(self, instance, new_flavor, network_info, image_meta, block_device_info=None,
               power_on=True):
        """Same-host resize: keep a backup of the disks, grow them, new vCPU/RAM."""
        raise NotImplementedError

    def confirm_resize(self, instance):
        """Drop the resize backup."""
        raise NotImplementedError

    def revert_resize(self, instance, old_flavor, network_info, image_meta,
                      block_device_info=None, power_on=True):
        """Restore the disks and sizes from before the resize."""
        raise NotImplementedError

    def get_diagnostics(self, instance):
        """The guest's figures in the compute API's 2.48 diagnostics format (state,
        driver, hypervisor, num_*, memory/cpu/nic/disk details, config_drive); disk and
        nic entries also carry their device ``name`` (the pre-2.48 keys use it)."""
        raise NotImplementedError

    # Consoles.
    def get_console_output(self, instance, max_bytes=None):
        """The tail of the serial console log as text (bounded)."""
        raise NotImplementedError

    def get_vnc_console(self, instance):
        """ConsoleEndpoint of the guest's VNC server."""
        raise NotImplementedError

    # Hot-plug.
    def attach_interface(self, instance, vif):
        raise NotImplementedError

    def detach_interface(self, instance, vif):
        raise NotImplementedError

    def attach_volume(self, instance, attachment):
        """Attach a VolumeAttachment; return the guest device name used ('vdb')."""
        raise NotImplementedError

    def detach_volume(self, instance, attachment):
        raise NotImplementedError

    # Taps (after a host reboot the manager re-plugs the servers it finds).
    def plug_vifs(self, instance, network_info):
        raise NotImplementedError

    def unplug_vifs(self, instance, network_info):
        raise NotImplementedError

    # Housekeeping.
    def prune_image_cache(self, min_age=None):
        """Remove cached images no server on this host uses; return the removed paths."""
        return []
