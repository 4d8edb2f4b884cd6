"""Rescue: boot a fresh disk of a rescue image with the server's own root disk second.

The definition from before the rescue is kept in ``unrescue.xml`` (mode 0600) and comes
back on unrescue, whatever the rescue changed.
"""
import logging
import os

import libvirt

from compute.drivers import base
from compute.drivers.libvirt import disks
from compute.drivers.libvirt.driverutil import bdi_arg
from compute.drivers.libvirt.driverutil import instance_arg
from compute.drivers.libvirt.driverutil import translate_errors
from compute.drivers.libvirt.driverutil import uuid_arg
from compute.drivers.libvirt.driverutil import vifs_arg
from compute.drivers.libvirt.driverutil import write_private

LOG = logging.getLogger(__name__)


class RescueMixin:
    """rescue/unrescue of LibvirtDriver."""

    @translate_errors
    def rescue(self, instance, network_info, image_meta, rescue_image_meta=None,
               image_fetcher=None, block_device_info=None):
        """Boot ``rescue_image_meta`` (default: the server's own image) from a fresh disk,
        with the server's root disk as the second disk.  ``image_meta`` is the server's
        image (its hardware properties stay)."""
        self._ensure_ready()
        instance = instance_arg(instance)
        image_meta = base.ImageMeta.from_dict(image_meta)
        rescue_meta = base.ImageMeta.from_dict(rescue_image_meta or image_meta)
        vifs, bdi = vifs_arg(network_info), bdi_arg(block_device_info)
        dom = self._domain(instance.uuid)
        paths = self._paths(instance.uuid)
        if os.path.exists(paths.unrescue_xml):
            raise base.InvalidState('instance %s is already in rescue' % instance.uuid)
        saved = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE | libvirt.VIR_DOMAIN_XML_SECURE)
        write_private(paths.unrescue_xml, saved)
        try:
            base_path, base_fmt = self.image_cache.fetch(rescue_meta, image_fetcher)
            disks.remove(paths.rescue_disk)
            disks.create_overlay(base_path, base_fmt, paths.rescue_disk,
                                 disks.virtual_size(base_path, base_fmt))
            self._power_off(dom, self.settings.shutdown_timeout)
            if dom.hasManagedSaveImage(0):
                dom.managedSaveRemove(0)
            xml, vols = self._domain_xml(instance, instance.flavor, image_meta, vifs, bdi,
                                         paths, rescue=True)
            self._prepare_start(instance, vifs, bdi)
            self._define_and_start(xml)
        except BaseException:
            self._restore_unrescue_xml(paths)
            raise

    def _restore_unrescue_xml(self, paths):
        try:
            with open(paths.unrescue_xml) as f:
                self._conn().defineXML(f.read())
        except Exception:
            LOG.exception('cannot restore the definition from %s', paths.unrescue_xml)
            return
        disks.remove(paths.rescue_disk)
        disks.remove(paths.unrescue_xml)

    @translate_errors
    def unrescue(self, instance, network_info=None):
        uuid = uuid_arg(instance)
        dom = self._domain(uuid)
        paths = self._paths(uuid)
        if not os.path.exists(paths.unrescue_xml):
            raise base.InvalidState('instance %s is not in rescue' % uuid)
        self._power_off(dom, 0)
        with open(paths.unrescue_xml) as f:
            dom = self._conn().defineXML(f.read())
        disks.remove(paths.rescue_disk)
        disks.remove(paths.unrescue_xml)
        self.plug_vifs(instance, network_info)
        dom.create()
