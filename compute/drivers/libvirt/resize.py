"""Same-host resize: copies of the disks and the definition go to ``resize-backup/``, the
disks grow, the domain gets the new vCPU and RAM; confirm drops the copies, revert (or a
failure half-way) puts them back.
"""
import logging
import os
import shutil

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


class ResizeMixin:
    """resize/confirm_resize/revert_resize of LibvirtDriver."""

    @translate_errors
    def resize(self, instance, new_flavor, network_info, image_meta, block_device_info=None,
               power_on=True):
        self._ensure_ready()
        instance = instance_arg(instance)
        new_flavor = base.Flavor.from_dict(new_flavor)
        image_meta = base.ImageMeta.from_dict(image_meta)
        vifs, bdi = vifs_arg(network_info), bdi_arg(block_device_info)
        old = instance.flavor
        dom = self._domain(instance.uuid)
        paths = self._paths(instance.uuid)
        if os.path.exists(paths.resize_backup):
            raise base.InvalidState('instance %s has an unconfirmed resize' % instance.uuid)
        current = disks.virtual_size(paths.disk, 'qcow2')
        new_root = current if new_flavor.root_gb == 0 else new_flavor.root_gb * disks.GiB
        if new_root < current:
            raise base.InvalidInput('resize cannot shrink the root disk (%d GiB in use, '
                                    'flavor %s has %d GiB)' % (current // disks.GiB,
                                                               new_flavor.name,
                                                               new_flavor.root_gb))
        if new_flavor.ephemeral_gb < old.ephemeral_gb:
            raise base.InvalidInput('resize cannot shrink the ephemeral disk')
        self._power_off(dom, self.settings.shutdown_timeout)
        os.makedirs(paths.resize_backup, mode=0o700)
        write_private(os.path.join(paths.resize_backup, 'domain.xml'), dom.XMLDesc(
            libvirt.VIR_DOMAIN_XML_INACTIVE | libvirt.VIR_DOMAIN_XML_SECURE))
        for path in paths.local_disks():
            if os.path.exists(path):
                disks.copy_sparse(path, os.path.join(paths.resize_backup,
                                                     os.path.basename(path)))
        try:
            if new_root > current:
                disks.resize(paths.disk, 'qcow2', new_root)
            if os.path.exists(paths.ephemeral) and new_flavor.ephemeral_gb > old.ephemeral_gb:
                disks.resize(paths.ephemeral, 'qcow2', new_flavor.ephemeral_gb * disks.GiB)
            if new_flavor.swap_mb != old.swap_mb:
                disks.remove(paths.swap)      # swap holds nothing across a power off
            self._create_flavor_disks(new_flavor, paths)
            resized = base.Instance.from_dict(dict(instance.to_dict(),
                                                   flavor=new_flavor.to_dict()))
            xml, vols = self._domain_xml(resized, new_flavor, image_meta, vifs, bdi, paths)
            self._conn().defineXML(xml)
            if power_on:
                self._prepare_start(instance, vifs, bdi)
                dom = self._domain(instance.uuid)
                dom.create()
        except BaseException:
            LOG.warning('resize of %s failed; restoring the old disks', instance.uuid)
            self._restore_resize_backup(dom, paths)
            raise

    def _restore_resize_backup(self, dom, paths):
        if dom.isActive():
            dom.destroy()
        for path in paths.local_disks():
            saved = os.path.join(paths.resize_backup, os.path.basename(path))
            if os.path.exists(saved):
                os.replace(saved, path)
            else:
                disks.remove(path)          # a disk the new flavor added
        with open(os.path.join(paths.resize_backup, 'domain.xml')) as f:
            self._conn().defineXML(f.read())
        shutil.rmtree(paths.resize_backup, ignore_errors=True)

    @translate_errors
    def confirm_resize(self, instance):
        paths = self._paths(uuid_arg(instance))
        shutil.rmtree(paths.resize_backup, ignore_errors=True)

    @translate_errors
    def revert_resize(self, instance, old_flavor, network_info, image_meta,
                      block_device_info=None, power_on=True):
        uuid = uuid_arg(instance)
        dom = self._domain(uuid)
        paths = self._paths(uuid)
        if not os.path.exists(paths.resize_backup):
            raise base.InvalidState('instance %s has no resize to revert' % uuid)
        self._power_off(dom, self.settings.shutdown_timeout)
        self._restore_resize_backup(dom, paths)
        if power_on:
            self._prepare_start(instance, network_info, block_device_info)
            self._domain(uuid).create()
