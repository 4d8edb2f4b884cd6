"""Hot-plug of NICs (taps the driver makes) and iSCSI volumes into a server's domain.

Changes go to the live domain when it runs and always to its persistent definition; a
detach waits until the guest has let the device go before the tap or secret goes.
"""
import time

import libvirt

from compute.drivers import base
from compute.drivers.libvirt import config
from compute.drivers.libvirt import hardware
from compute.drivers.libvirt import vif as vif_mod
from compute.drivers.libvirt import volumes
from compute.drivers.libvirt.driverutil import POLL_INTERVAL
from compute.drivers.libvirt.driverutil import translate_errors
from compute.drivers.libvirt.driverutil import uuid_arg


class HotplugMixin:
    """attach/detach_interface and attach/detach_volume of LibvirtDriver."""

    def _affect(self, dom):
        flags = libvirt.VIR_DOMAIN_AFFECT_CONFIG
        if dom.isActive():
            flags |= libvirt.VIR_DOMAIN_AFFECT_LIVE
        return flags

    def _detach_device(self, dom, find):
        """Unplug the device ``find(root)`` locates (if any) and wait until it is gone."""
        live = dom.isActive()
        device = find(config.parse(dom.XMLDesc(0 if live else libvirt.VIR_DOMAIN_XML_INACTIVE)))
        if device is not None:
            dom.detachDeviceFlags(config.element_xml(device), self._affect(dom))
            self._wait_detached(dom, find)

    def _wait_detached(self, dom, find):
        """Poll the live XML until ``find(root)`` is None (the guest let the device go)."""
        deadline = time.monotonic() + self.settings.device_detach_timeout
        while True:
            if not dom.isActive() or find(config.parse(dom.XMLDesc(0))) is None:
                return
            if time.monotonic() > deadline:
                raise base.VirtError('the guest did not release the device within %ss'
                                     % self.settings.device_detach_timeout)
            time.sleep(POLL_INTERVAL)

    @translate_errors
    def attach_interface(self, instance, vif):
        uuid = uuid_arg(instance)
        vif = base.VIF.from_dict(vif)
        dom = self._domain(uuid)
        root = config.parse(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
        if config.interface_by_mac(root, vif.mac) is not None:
            raise base.InvalidState('instance %s already has a NIC with MAC %s' % (uuid, vif.mac))
        existing = root.find('./devices/interface/model')
        model = existing.get('type') if existing is not None else 'virtio'
        new_tap = not vif_mod.tap_exists(vif.tap_name)
        vif_mod.ensure_tap(vif)
        try:
            dom.attachDeviceFlags(config.interface_xml(vif, model), self._affect(dom))
        except BaseException:
            if new_tap:
                vif_mod.delete_tap(vif.tap_name)
            raise

    @translate_errors
    def detach_interface(self, instance, vif):
        uuid = uuid_arg(instance)
        vif = base.VIF.from_dict(vif)
        self._detach_device(self._domain(uuid), lambda r: config.interface_by_mac(r, vif.mac))
        vif_mod.delete_tap(vif.tap_name)

    @translate_errors
    def attach_volume(self, instance, attachment):
        uuid = uuid_arg(instance)
        attachment = base.VolumeAttachment.from_dict(attachment)
        target = volumes.IscsiTarget.from_attachment(attachment)
        dom = self._domain(uuid)
        root = config.parse(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
        if _volume_disk(root, target.volume_id) is not None:
            raise base.InvalidState('volume %s is already attached to %s'
                                    % (target.volume_id, uuid))
        first = root.find('./devices/disk/target')
        bus = first.get('bus') if first is not None else 'virtio'
        if bus not in hardware.DISK_BUSES:
            bus = 'virtio'
        used = set(config.disk_targets(root))
        if dom.isActive():
            used |= set(config.disk_targets(config.parse(dom.XMLDesc(0))))
        if attachment.device_name:
            dev = hardware.normalise_device(bus, attachment.device_name)
            if dev in used:
                raise base.InvalidInput('device %s is already in use' % dev)
        else:
            dev = hardware.next_free_device(bus, used)
        usage = volumes.ensure_secret(self._conn(), target)
        try:
            dom.attachDeviceFlags(config.iscsi_disk_xml(target, dev, bus, self.initiator_iqn),
                                  self._affect(dom))
        except BaseException:
            if usage:
                volumes.delete_secret(self._conn(), usage)
            raise
        return dev

    @translate_errors
    def detach_volume(self, instance, attachment):
        uuid = uuid_arg(instance)
        attachment = base.VolumeAttachment.from_dict(attachment)
        self._detach_device(self._domain(uuid),
                            lambda r: _volume_disk(r, attachment.volume_id))
        volumes.delete_secret(self._conn(), config.secret_usage(attachment.volume_id))


def _volume_disk(root, volume_id):
    for disk in root.findall("./devices/disk[@type='network']"):
        auth = disk.find('auth/secret')
        if auth is not None and auth.get('usage') == config.secret_usage(volume_id):
            return disk
        serial = disk.find('serial')
        if serial is not None and serial.text == volume_id[:20]:
            return disk
    return None
