"""libvirt XML documents of a server: the domain, its disks, NICs, volumes and secrets.

Pure functions from validated plain data to XML text (ElementTree escapes every value).
Values that come from tenants (names, metadata) only reach the <metadata> element;
everything else is an id, a size or a choice from the allowlists in ``hardware``.
"""
import xml.etree.ElementTree as ET


# Our own namespace in <metadata>: marks a domain as a cirrostack server.
METADATA_NS = 'http://cirrostack.org/xmlns/compute/1.0'
METADATA_PREFIX = 'cirrostack'
DOMAIN_NAME_PREFIX = 'instance-'
SECRET_USAGE_PREFIX = 'cirrostack-volume-'


def domain_name(uuid):
    return DOMAIN_NAME_PREFIX + uuid


def secret_usage(volume_id):
    return SECRET_USAGE_PREFIX + volume_id


def _sub(parent, tag, text=None, **attrs):
    el = ET.SubElement(parent, tag, {k.rstrip('_'): str(v) for k, v in attrs.items()
                                     if v is not None})
    if text is not None:
        el.text = str(text)
    return el


def _text(el):
    return ET.tostring(el, encoding='unicode')


class DiskSpec:
    """One file-backed disk or cdrom of the domain."""

    def __init__(self, path, fmt, dev, bus, device='disk', cache='none', readonly=False,
                 serial=None, boot_order=None):
        self.path, self.fmt, self.dev, self.bus = path, fmt, dev, bus
        self.device, self.cache, self.readonly, self.serial = device, cache, readonly, serial
        self.boot_order = boot_order


def disk_element(spec):
    disk = ET.Element('disk', type='file', device=spec.device)
    _sub(disk, 'driver', name='qemu', type=spec.fmt, cache=spec.cache,
         discard='unmap' if spec.device == 'disk' else None)
    _sub(disk, 'source', file=spec.path)
    _sub(disk, 'target', dev=spec.dev, bus=spec.bus)
    if spec.boot_order:
        _sub(disk, 'boot', order=spec.boot_order)
    if spec.readonly:
        _sub(disk, 'readonly')
    if spec.serial:
        _sub(disk, 'serial', spec.serial)
    return disk


def interface_element(vif, model):
    """A NIC on the tap the driver made (managed='no': libvirt opens it, never deletes it)."""
    iface = ET.Element('interface', type='ethernet')
    _sub(iface, 'mac', address=vif.mac)
    _sub(iface, 'target', dev=vif.tap_name, managed='no')
    _sub(iface, 'model', type=model)
    if vif.mtu:
        _sub(iface, 'mtu', size=vif.mtu)
    return iface


def interface_xml(vif, model):
    return _text(interface_element(vif, model))


def iscsi_disk_element(volume, dev, bus, initiator_iqn):
    """A volume as a libvirt network disk (QEMU's own iSCSI initiator), CHAP via a secret.

    ``volume`` is a ``volumes.IscsiTarget``.
    """
    disk = ET.Element('disk', type='network', device='disk')
    _sub(disk, 'driver', name='qemu', type='raw', cache='none', io='native')
    if volume.auth_username:
        auth = _sub(disk, 'auth', username=volume.auth_username)
        _sub(auth, 'secret', type='iscsi', usage=secret_usage(volume.volume_id))
    source = _sub(disk, 'source', protocol='iscsi',
                  name='%s/%d' % (volume.target_iqn, volume.target_lun))
    _sub(source, 'host', name=volume.portal_host, port=volume.portal_port)
    _sub(_sub(source, 'initiator'), 'iqn', name=initiator_iqn)
    _sub(disk, 'target', dev=dev, bus=bus)
    # The guest finds the volume by id under /dev/disk/by-id (serial is 20 bytes at most).
    _sub(disk, 'serial', volume.volume_id[:20])
    return disk


def iscsi_disk_xml(volume, dev, bus, initiator_iqn):
    return _text(iscsi_disk_element(volume, dev, bus, initiator_iqn))


def secret_xml(volume_id):
    """A private (never readable back), persistent libvirt secret for a volume's CHAP."""
    secret = ET.Element('secret', ephemeral='no', private='yes')
    _sub(secret, 'description', 'CHAP secret of volume %s' % volume_id)
    usage = _sub(secret, 'usage', type='iscsi')
    _sub(usage, 'target', secret_usage(volume_id))
    return _text(secret)


def _metadata(parent, instance, flavor):
    md = _sub(parent, 'metadata')
    pfx = METADATA_PREFIX + ':'
    inst = ET.SubElement(md, pfx + 'instance', {'xmlns:' + METADATA_PREFIX: METADATA_NS})
    _sub(inst, pfx + 'name', instance.name)
    _sub(inst, pfx + 'flavor', name=flavor.name, id=flavor.id, vcpus=flavor.vcpus,
         memory_mb=flavor.memory_mb, root_gb=flavor.root_gb,
         ephemeral_gb=flavor.ephemeral_gb, swap_mb=flavor.swap_mb)
    _sub(inst, pfx + 'owner', project=instance.project_id, user=instance.user_id)
    if instance.image_ref:
        _sub(inst, pfx + 'image', id=instance.image_ref)


class DomainSpec:
    """Everything the domain document needs besides the instance itself."""

    def __init__(self, virt_type, hw, disks, vifs, console_log, vnc_listen,
                 cpu_mode=None, cpu_model=None, volumes=(), initiator_iqn=None,
                 boot_volume_dev=None):
        self.virt_type = virt_type            # 'kvm' or 'qemu'
        self.hw = hw                          # hardware.Hardware
        self.disks = disks                    # [DiskSpec], boot disk first
        self.vifs = vifs                      # [base.VIF]
        self.console_log = console_log        # path of the serial console log
        self.vnc_listen = vnc_listen
        self.cpu_mode = cpu_mode              # kvm: host-model, host-passthrough, custom
        self.cpu_model = cpu_model
        self.volumes = volumes                # [(volumes.IscsiTarget, dev)]
        self.initiator_iqn = initiator_iqn
        self.boot_volume_dev = boot_volume_dev  # dev of the volume that boots, or None


def domain_xml(instance, flavor, spec):
    """The persistent domain definition of ``instance`` with ``flavor`` sizes."""
    dom = ET.Element('domain', type=spec.virt_type)
    _sub(dom, 'name', domain_name(instance.uuid))
    _sub(dom, 'uuid', instance.uuid)
    _sub(dom, 'title', 'cirrostack server %s' % instance.uuid)
    _metadata(dom, instance, flavor)
    _sub(dom, 'memory', flavor.memory_mb, unit='MiB')
    _sub(dom, 'currentMemory', flavor.memory_mb, unit='MiB')
    _sub(dom, 'vcpu', flavor.vcpus, placement='static')

    # SMBIOS: cloud-init and friends recognise an OpenStack guest by these values.
    sysinfo = _sub(dom, 'sysinfo', type='smbios')
    system = _sub(sysinfo, 'system')
    _sub(system, 'entry', 'OpenStack Foundation', name='manufacturer')
    _sub(system, 'entry', 'OpenStack Nova', name='product')
    _sub(system, 'entry', instance.uuid, name='serial')
    _sub(system, 'entry', instance.uuid, name='uuid')
    _sub(system, 'entry', 'Virtual Machine', name='family')

    os_el = _sub(dom, 'os')
    _sub(os_el, 'type', 'hvm', arch='x86_64', machine=spec.hw.machine_type)
    _sub(os_el, 'smbios', mode='sysinfo')

    features = _sub(dom, 'features')
    _sub(features, 'acpi')
    _sub(features, 'apic')

    if spec.virt_type == 'kvm' and spec.cpu_mode:
        cpu = _sub(dom, 'cpu', mode=spec.cpu_mode)
        if spec.cpu_mode == 'custom' and spec.cpu_model:
            cpu.set('match', 'exact')
            _sub(cpu, 'model', spec.cpu_model, fallback='allow')
    clock = _sub(dom, 'clock', offset='utc')
    _sub(clock, 'timer', name='pit', tickpolicy='delay')
    _sub(clock, 'timer', name='rtc', tickpolicy='catchup')
    _sub(clock, 'timer', name='hpet', present='no')

    _sub(dom, 'on_poweroff', 'destroy')
    _sub(dom, 'on_reboot', 'restart')
    _sub(dom, 'on_crash', 'destroy')

    devices = _sub(dom, 'devices')
    if 'scsi' in (spec.hw.disk_bus, spec.hw.cdrom_bus):
        _sub(devices, 'controller', type='scsi', index=0, model='virtio-scsi')
    # The first disk boots (per-device boot order: in rescue the rescue disk comes first).
    # A server booted from a volume boots that volume instead.
    for index, disk in enumerate(spec.disks):
        disk.boot_order = 1 if index == 0 and not spec.boot_volume_dev else None
        devices.append(disk_element(disk))
    for volume, dev in spec.volumes:
        disk = iscsi_disk_element(volume, dev, spec.hw.disk_bus, spec.initiator_iqn)
        if dev == spec.boot_volume_dev:
            _sub(disk, 'boot', order=1)
        devices.append(disk)
    for vif in spec.vifs:
        devices.append(interface_element(vif, spec.hw.vif_model))

    # Serial console: a pty (virsh console) whose output virtlogd appends to a file.
    serial = _sub(devices, 'serial', type='pty')
    _sub(serial, 'log', file=spec.console_log, append='on')
    _sub(serial, 'target', port=0)
    console = _sub(devices, 'console', type='pty')
    _sub(console, 'target', type='serial', port=0)

    _sub(devices, 'input', type='tablet', bus='usb')
    graphics = _sub(devices, 'graphics', type='vnc', autoport='yes', listen=spec.vnc_listen)
    _sub(graphics, 'listen', type='address', address=spec.vnc_listen)
    _sub(_sub(devices, 'video'), 'model', type=spec.hw.video_model)
    balloon = _sub(devices, 'memballoon', model='virtio')
    _sub(balloon, 'stats', period=10)
    rng = _sub(devices, 'rng', model='virtio')
    _sub(rng, 'backend', '/dev/urandom', model='random')
    return _text(dom)


# ---- reading documents back (live XML of a running domain)

def parse(xml_text):
    return ET.fromstring(xml_text)


def tap_devices(root):
    """Names of the tap devices of the domain's ethernet NICs."""
    return [t.get('dev') for t in root.findall("./devices/interface[@type='ethernet']/target")
            if t.get('dev')]


def secret_usages(root):
    """Usage ids of the secrets the domain's network disks use."""
    return [s.get('usage') for s in root.findall('./devices/disk/auth/secret')
            if s.get('usage')]


def disk_targets(root):
    """{target dev: source path or network name} of every disk."""
    found = {}
    for disk in root.findall('./devices/disk'):
        target, source = disk.find('target'), disk.find('source')
        if target is None:
            continue
        found[target.get('dev')] = None if source is None else (
            source.get('file') or source.get('name'))
    return found


def vnc_port(root):
    graphics = root.find("./devices/graphics[@type='vnc']")
    if graphics is None:
        return None
    port = int(graphics.get('port', '-1'))
    return port if port > 0 else None


def is_ours(root):
    """True for domains that carry our metadata element."""
    md = root.find('metadata')
    return md is not None and md.find('{%s}instance' % METADATA_NS) is not None


def interface_by_mac(root, mac):
    for iface in root.findall('./devices/interface'):
        el = iface.find('mac')
        if el is not None and el.get('address', '').lower() == mac.lower():
            return iface
    return None


def disk_by_target(root, dev):
    for disk in root.findall('./devices/disk'):
        target = disk.find('target')
        if target is not None and target.get('dev') == dev:
            return disk
    return None


def element_xml(el):
    return _text(el)
