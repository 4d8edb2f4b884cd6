"""Virtual hardware of a guest from image properties (hw_*), checked against allowlists,
and the guest device names of its disks.

Image owners set these properties, so each is a choice among values QEMU supports here;
anything else is refused with a message naming the property.
"""
import re

from compute.drivers import base

DISK_BUSES = ('virtio', 'scsi', 'sata', 'ide')
VIF_MODELS = ('virtio', 'e1000', 'e1000e', 'rtl8139', 'ne2k_pci', 'pcnet')
VIDEO_MODELS = ('cirrus', 'vga', 'virtio', 'qxl', 'bochs')
_MACHINE = re.compile(r'^(pc|q35)(-(i440fx|q35)-\d+\.\d+)?$')

_PREFIX = {'virtio': 'vd', 'scsi': 'sd', 'sata': 'sd', 'ide': 'hd'}
_MAX_DISKS = {'virtio': 26, 'scsi': 26, 'sata': 6, 'ide': 4}


class Hardware:
    def __init__(self, machine_type, disk_bus, cdrom_bus, vif_model, video_model):
        self.machine_type = machine_type
        self.disk_bus = disk_bus
        self.cdrom_bus = cdrom_bus
        self.vif_model = vif_model
        self.video_model = video_model


def _choice(props, key, allowed, default):
    value = props.get(key)
    if value in (None, ''):
        return default
    if value not in allowed:
        raise base.InvalidInput('image property %s=%r is not supported; use one of %s'
                                % (key, value, ', '.join(allowed)))
    return value


def from_image(image_meta, default_machine_type='pc'):
    """Hardware for a guest of ``image_meta`` (an ImageMeta or None)."""
    props = dict(image_meta.properties) if image_meta is not None else {}
    machine = props.get('hw_machine_type') or default_machine_type
    if not isinstance(machine, str) or not _MACHINE.match(machine):
        raise base.InvalidInput('image property hw_machine_type=%r is not supported; use pc '
                                'or q35 (optionally versioned, e.g. pc-i440fx-7.2)' % machine)
    disk_bus = _choice(props, 'hw_disk_bus', DISK_BUSES, 'virtio')
    # q35 has no IDE controller: its cdrom hangs off SATA.
    cdrom_default = 'sata' if machine.startswith('q35') else 'ide'
    cdrom_bus = _choice(props, 'hw_cdrom_bus', ('ide', 'sata', 'scsi'), cdrom_default)
    if cdrom_bus == 'ide' and machine.startswith('q35'):
        raise base.InvalidInput('image property hw_cdrom_bus=ide needs machine type pc')
    if disk_bus == 'ide' and machine.startswith('q35'):
        raise base.InvalidInput('image property hw_disk_bus=ide needs machine type pc')
    return Hardware(machine_type=machine, disk_bus=disk_bus, cdrom_bus=cdrom_bus,
                    vif_model=_choice(props, 'hw_vif_model', VIF_MODELS, 'virtio'),
                    video_model=_choice(props, 'hw_video_model', VIDEO_MODELS, 'cirrus'))


def device_name(bus, index):
    """Guest device name of the ``index``-th disk on ``bus`` (virtio 0 -> vda)."""
    if index >= _MAX_DISKS[bus]:
        raise base.InvalidInput('no more than %d disks on bus %s' % (_MAX_DISKS[bus], bus))
    return _PREFIX[bus] + 'abcdefghijklmnopqrstuvwxyz'[index]


def next_free_device(bus, used):
    """First device name on ``bus`` not in ``used`` (target names of the domain)."""
    for index in range(_MAX_DISKS[bus]):
        name = device_name(bus, index)
        if name not in used:
            return name
    raise base.InvalidInput('no free device name left on bus %s' % bus)


def normalise_device(bus, name):
    """'/dev/vdb' or 'vdb' -> 'vdb', refused unless it is a name of ``bus``."""
    short = name[5:] if isinstance(name, str) and name.startswith('/dev/') else name
    if not isinstance(short, str) or not re.match(r'^%s[a-z]$' % _PREFIX[bus], short) \
            or short[-1] > 'abcdefghijklmnopqrstuvwxyz'[_MAX_DISKS[bus] - 1]:
        raise base.InvalidInput('device %r is not a %s disk name (%sb, %sc, ...)'
                                % (name, bus, _PREFIX[bus], _PREFIX[bus]))
    return short


class DiskLayout:
    """Guest device names of the local disks: root, ephemeral, swap, config drive.

    The cdrom (config drive) sits on its own bus; on IDE it takes the last slot (hdd),
    as OpenStack guests expect.
    """

    def __init__(self, hw, has_ephemeral, has_swap, has_config_drive, rescue=False):
        index = 0
        self.rescue = None
        if rescue:
            self.rescue = device_name(hw.disk_bus, index)
            index += 1
        self.root = device_name(hw.disk_bus, index)
        index += 1
        self.ephemeral = self.swap = None
        if has_ephemeral:
            self.ephemeral = device_name(hw.disk_bus, index)
            index += 1
        if has_swap:
            self.swap = device_name(hw.disk_bus, index)
            index += 1
        self.config_drive = None
        if has_config_drive:
            if hw.cdrom_bus == 'ide':
                self.config_drive = 'hdd'
            elif hw.cdrom_bus == hw.disk_bus or _PREFIX[hw.cdrom_bus] == _PREFIX[hw.disk_bus]:
                self.config_drive = device_name(hw.cdrom_bus, index)
            else:
                self.config_drive = device_name(hw.cdrom_bus, 0)

    def local(self):
        return [d for d in (self.rescue, self.root, self.ephemeral, self.swap,
                            self.config_drive) if d]
