"""The libvirt/QEMU virt driver: real guests on this host.

Per server, ``<instances_path>/<uuid>/`` holds ``disk`` (qcow2 overlay on the cached
image), ``disk.eph0`` and ``disk.swap`` (overlays on blank formatted bases), ``disk.config``
(config drive ISO), ``console.log`` (serial console, written by virtlogd), and during
rescue or resize ``disk.rescue`` + ``unrescue.xml`` or ``resize-backup/``.  The domain
is persistent, named ``instance-<uuid>`` and carries our metadata element; its NICs use
taps the driver makes (see vif.py).  Interface: compute/drivers/base.py.
"""
import logging
import os
import shutil
import socket
import time

import libvirt

from compute import instance_metadata
from compute.drivers import base
from compute.drivers.libvirt import config
from compute.drivers.libvirt import configdrive
from compute.drivers.libvirt import console
from compute.drivers.libvirt import diagnostics
from compute.drivers.libvirt import disks
from compute.drivers.libvirt import hardware
from compute.drivers.libvirt import host as host_mod
from compute.drivers.libvirt import hotplug
from compute.drivers.libvirt import imagecache
from compute.drivers.libvirt import kvm_probe
from compute.drivers.libvirt import rescue
from compute.drivers.libvirt import resize
from compute.drivers.libvirt import resources
from compute.drivers.libvirt import states
from compute.drivers.libvirt import vif as vif_mod
from compute.drivers.libvirt import volumes
from compute.drivers.libvirt.driverutil import POLL_INTERVAL
from compute.drivers.libvirt.driverutil import bdi_arg
from compute.drivers.libvirt.driverutil import instance_arg
from compute.drivers.libvirt.driverutil import translate_errors
from compute.drivers.libvirt.driverutil import uuid_arg
from compute.drivers.libvirt.driverutil import vifs_arg
from compute.drivers.libvirt.settings import LibvirtSettings

LOG = logging.getLogger(__name__)

_UNDEFINE_FLAGS = (libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
                   | libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA
                   | libvirt.VIR_DOMAIN_UNDEFINE_NVRAM)


class InstancePaths:
    def __init__(self, instances_path, uuid):
        self.dir = os.path.join(instances_path, uuid)
        self.disk = os.path.join(self.dir, 'disk')
        self.ephemeral = os.path.join(self.dir, 'disk.eph0')
        self.swap = os.path.join(self.dir, 'disk.swap')
        self.config_drive = os.path.join(self.dir, 'disk.config')
        self.rescue_disk = os.path.join(self.dir, 'disk.rescue')
        self.unrescue_xml = os.path.join(self.dir, 'unrescue.xml')
        self.console_log = os.path.join(self.dir, 'console.log')
        self.resize_backup = os.path.join(self.dir, 'resize-backup')

    def local_disks(self):
        return [self.disk, self.ephemeral, self.swap]


class LibvirtDriver(hotplug.HotplugMixin, rescue.RescueMixin, resize.ResizeMixin,
                    base.ComputeDriver):
    """Guests through libvirt-python; domain type kvm where /dev/kvm runs guests, else qemu."""

    def __init__(self, settings=None, host=None):
        self.settings = settings or LibvirtSettings()
        self.host = host or host_mod.Host(self.settings.connection_uri)
        self.virt_type = None
        self.virt_type_reason = None
        self.disk_cache_mode = 'none'
        self.hostname = socket.gethostname()
        self.initiator_iqn = (self.settings.iscsi_initiator_iqn
                              or volumes.default_initiator_iqn())
        cache_dir = self.settings.image_cache_path or os.path.join(
            self.settings.instances_path, '_base')
        self.image_cache_dir = cache_dir
        self._image_cache = None

    # ------------------------------------------------------------------ host

    @property
    def image_cache(self):
        if self._image_cache is None:
            self._image_cache = imagecache.ImageCache(self.image_cache_dir)
        return self._image_cache

    def init_host(self, host):
        if host:
            self.hostname = host
        os.makedirs(self.settings.instances_path, exist_ok=True)
        # QEMU runs as another user: it must traverse to its files, not list them.
        os.chmod(self.settings.instances_path, 0o711)
        self.image_cache   # noqa: B018 (creates the cache directory)
        _warn_if_untraversable(self.settings.instances_path)
        self.host.get_connection()
        self.virt_type, self.virt_type_reason = self._detect_virt_type()
        self.disk_cache_mode = self._detect_cache_mode()
        LOG.info('libvirt driver ready: domain type %s (%s), disk cache %s',
                 self.virt_type, self.virt_type_reason, self.disk_cache_mode)

    def _detect_virt_type(self):
        wanted = self.settings.virt_type
        if wanted in ('kvm', 'qemu'):
            return wanted, 'configured'
        ok, detail = kvm_probe.kvm_usable(timeout=self.settings.kvm_probe_timeout)
        return ('kvm', detail) if ok else ('qemu', 'KVM unusable: %s' % detail)

    def _detect_cache_mode(self):
        """cache=none needs O_DIRECT, which some file systems (tmpfs) lack."""
        probe = os.path.join(self.settings.instances_path, '.odirect-probe')
        try:
            fd = os.open(probe, os.O_CREAT | os.O_WRONLY | os.O_DIRECT, 0o600)
            os.close(fd)
            return 'none'
        except OSError:
            return 'writethrough'
        finally:
            try:
                os.unlink(probe)
            except OSError:
                pass

    def _ensure_ready(self):
        if self.virt_type is None:
            raise base.VirtError('the driver is not initialised (init_host was not called)')

    def _conn(self):
        return self.host.get_connection()

    def _lookup(self, uuid):
        try:
            return self._conn().lookupByUUIDString(uuid)
        except libvirt.libvirtError as exc:
            if exc.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN:
                return None
            raise

    def _domain(self, uuid):
        dom = self._lookup(uuid)
        if dom is None:
            raise base.InstanceNotFound(uuid)
        return dom

    def _paths(self, uuid):
        return InstancePaths(self.settings.instances_path, uuid)

    @translate_errors
    def get_available_resource(self):
        conn = self._conn()
        info = conn.getInfo()           # [arch, memory MiB, cpus, MHz, nodes, sockets, ...]
        mem = resources.meminfo()
        total_gb, used_gb, free_gb = resources.disk_usage_gb(self.settings.instances_path)
        vcpus_used, running = 0, 0
        for dom in self.host.list_all_domains(libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE):
            try:
                vcpus_used += dom.maxVcpus()
                running += 1
            except libvirt.libvirtError:
                continue                # went away meanwhile
        return base.HostResources(
            vcpus=int(info[2]), memory_mb=mem['total_mb'], local_gb=int(total_gb),
            vcpus_used=vcpus_used, memory_mb_used=mem['total_mb'] - mem['available_mb'],
            local_gb_used=int(used_gb), hypervisor_type=conn.getType(),
            hypervisor_version=int(conn.getVersion()),
            hypervisor_hostname=self.hostname,
            cpu_info=resources.cpu_info(conn.getCapabilities()),
            disk_available_least=int(free_gb - self._disk_overcommit_gb()),
            running_vms=running, virt_type=self.virt_type or '')

    def _disk_overcommit_gb(self):
        """GiB the existing overlays may still grow into (virtual minus allocated)."""
        total = 0
        root = self.settings.instances_path
        for uuid in os.listdir(root):
            if uuid.startswith(('_', '.')):
                continue
            for path in self._paths(uuid).local_disks():
                if os.path.exists(path):
                    try:
                        found = disks.info(path, 'qcow2')
                    except base.VirtError:
                        continue
                    total += max(0, int(found['virtual-size']) - int(found['actual-size']))
        return total // disks.GiB

    @translate_errors
    def list_instances(self):
        return sorted(self._our_domains())

    def _our_domains(self):
        found = {}
        for dom in self.host.list_all_domains():
            try:
                dom.metadata(libvirt.VIR_DOMAIN_METADATA_ELEMENT, config.METADATA_NS)
            except libvirt.libvirtError:
                continue               # no element of ours: not a server of this service
            found[dom.UUIDString()] = dom
        return found

    @translate_errors
    def list_instance_power_states(self):
        found = {}
        for uuid, dom in self._our_domains().items():
            try:
                found[uuid] = self._power_state(dom)
            except libvirt.libvirtError as exc:
                if exc.get_error_code() != libvirt.VIR_ERR_NO_DOMAIN:
                    raise
                # undefined since it was listed (a delete or shelve finished): not ours now
        return found

    @staticmethod
    def _power_state(dom):
        state, _reason = dom.state()
        saved = state == libvirt.VIR_DOMAIN_SHUTOFF and bool(dom.hasManagedSaveImage(0))
        return states.to_power_state(state, saved)

    @translate_errors
    def get_info(self, instance):
        dom = self._domain(uuid_arg(instance))
        _state, _max_kib, mem_kib, vcpus, cpu_ns = dom.info()
        return base.InstanceInfo(state=self._power_state(dom), memory_mb=mem_kib // 1024,
                                 vcpus=vcpus, cpu_time_ns=cpu_ns)

    def get_volume_connector(self):
        return {'initiator': self.initiator_iqn, 'host': self.hostname,
                'ip': self.settings.my_ip, 'platform': 'x86_64', 'os_type': 'linux',
                'multipath': False}

    # ------------------------------------------------------------- building

    def _domain_xml(self, instance, flavor, image_meta, vifs, bdi, paths, rescue=False):
        hw = hardware.from_image(image_meta, self.settings.machine_type)
        has_cd = os.path.exists(paths.config_drive)
        layout = hardware.DiskLayout(hw, os.path.exists(paths.ephemeral),
                                     os.path.exists(paths.swap), has_cd, rescue=rescue)
        specs = []
        root_volume = bdi.root_volume()
        if rescue:
            specs.append(config.DiskSpec(paths.rescue_disk, 'qcow2', layout.rescue,
                                         hw.disk_bus, cache=self.disk_cache_mode))
        if root_volume is None:
            specs.append(config.DiskSpec(paths.disk, 'qcow2', layout.root, hw.disk_bus,
                                         cache=self.disk_cache_mode))
        if layout.ephemeral:
            specs.append(config.DiskSpec(paths.ephemeral, 'qcow2', layout.ephemeral,
                                         hw.disk_bus, cache=self.disk_cache_mode))
        if layout.swap:
            specs.append(config.DiskSpec(paths.swap, 'qcow2', layout.swap, hw.disk_bus,
                                         cache=self.disk_cache_mode))
        if layout.config_drive:
            specs.append(config.DiskSpec(paths.config_drive, 'raw', layout.config_drive,
                                         hw.cdrom_bus, device='cdrom', readonly=True,
                                         cache=self.disk_cache_mode))
        used = set(layout.local())      # the root's name too: a root volume takes it
        vols = []
        boot_dev = None
        for attachment in bdi.volumes:
            target = volumes.IscsiTarget.from_attachment(attachment)
            if attachment is root_volume:
                vols.append((target, layout.root))
                boot_dev = layout.root
                continue
            if attachment.device_name:
                dev = hardware.normalise_device(hw.disk_bus, attachment.device_name)
            else:
                dev = hardware.next_free_device(hw.disk_bus, used)
            if dev in used:
                raise base.InvalidInput('device %s of volume %s is already taken'
                                        % (dev, attachment.volume_id))
            used.add(dev)
            vols.append((target, dev))
        cpu_mode = None if self.settings.cpu_mode == 'none' else self.settings.cpu_mode
        spec = config.DomainSpec(
            virt_type=self.virt_type, hw=hw, disks=specs, vifs=vifs,
            console_log=paths.console_log, vnc_listen=self.settings.vnc_listen,
            cpu_mode=cpu_mode, cpu_model=self.settings.cpu_model, volumes=vols,
            initiator_iqn=self.initiator_iqn, boot_volume_dev=None if rescue else boot_dev)
        return config.domain_xml(instance, flavor, spec), vols

    def _root_size(self, flavor, image_virtual_size):
        if flavor.root_gb == 0:
            return image_virtual_size
        size = flavor.root_gb * disks.GiB
        if size < image_virtual_size:
            raise base.FlavorDiskTooSmall(
                'flavor %s has a %d GiB root disk, smaller than the image (%d bytes)'
                % (flavor.name, flavor.root_gb, image_virtual_size))
        return size

    def _create_root_disk(self, target, flavor, image_meta, image_fetcher):
        base_path, base_fmt = self.image_cache.fetch(image_meta, image_fetcher)
        size = self._root_size(flavor, disks.virtual_size(base_path, base_fmt))
        disks.create_overlay(base_path, base_fmt, target, size)

    def _create_flavor_disks(self, flavor, paths):
        if flavor.ephemeral_gb and not os.path.exists(paths.ephemeral):
            disks.create_overlay(self.image_cache.ephemeral_base(flavor.ephemeral_gb), 'raw',
                                 paths.ephemeral)
        if flavor.swap_mb and not os.path.exists(paths.swap):
            disks.create_overlay(self.image_cache.swap_base(flavor.swap_mb), 'raw', paths.swap)

    def _create_config_drive(self, instance, vifs, paths):
        if not (instance.config_drive or self.settings.force_config_drive):
            return
        md = instance_metadata.InstanceMetadata(instance, vifs,
                                                dhcp_domain=self.settings.dhcp_domain)
        configdrive.build(paths.config_drive, md.config_drive_files())

    def _make_instance_dir(self, paths):
        os.makedirs(paths.dir, mode=0o711, exist_ok=True)
        os.chmod(paths.dir, 0o711)

    def _ensure_secrets(self, vols):
        for target, _dev in vols:
            volumes.ensure_secret(self._conn(), target)

    def _define_and_start(self, xml, paused=False):
        dom = self._conn().defineXML(xml)
        dom.createWithFlags(libvirt.VIR_DOMAIN_START_PAUSED if paused else 0)
        return dom

    def _build_and_start(self, instance, image_meta, vifs, bdi, paths, image_fetcher,
                         paused=False):
        """Disks that are missing, config drive, taps, secrets, definition, start."""
        hardware.from_image(image_meta, self.settings.machine_type)   # refuse early
        if bdi.root_volume() is None:
            self._create_root_disk(paths.disk, instance.flavor, image_meta, image_fetcher)
        self._create_flavor_disks(instance.flavor, paths)
        self._create_config_drive(instance, vifs, paths)
        self.plug_vifs(instance, vifs)
        xml, vols = self._domain_xml(instance, instance.flavor, image_meta, vifs, bdi, paths)
        self._ensure_secrets(vols)
        self._define_and_start(xml, paused=paused)

    @translate_errors
    def spawn(self, instance, image_meta, network_info, block_device_info=None,
              image_fetcher=None, paused=False):
        self._ensure_ready()
        instance = instance_arg(instance)
        image_meta = base.ImageMeta.from_dict(image_meta)
        vifs, bdi = vifs_arg(network_info), bdi_arg(block_device_info)
        if self._lookup(instance.uuid) is not None:
            raise base.InstanceExists(instance.uuid)
        paths = self._paths(instance.uuid)
        started = time.monotonic()
        try:
            self._make_instance_dir(paths)
            self._build_and_start(instance, image_meta, vifs, bdi, paths, image_fetcher,
                                  paused)
        except BaseException:
            LOG.warning('spawn of %s failed; removing what was made', instance.uuid)
            self._cleanup_quietly(instance, vifs, bdi)
            raise
        LOG.info('spawned %s (%s) in %.2fs', instance.uuid,
                 'paused' if paused else 'running', time.monotonic() - started)

    def _cleanup_quietly(self, instance, vifs, bdi):
        try:
            self.destroy(instance, vifs, bdi)
        except Exception:
            LOG.exception('cleanup of %s failed', instance.uuid)

    @translate_errors
    def resume_spawned(self, instance):
        uuid = uuid_arg(instance)
        dom = self._domain(uuid)
        state, _ = dom.state()
        if state == libvirt.VIR_DOMAIN_PAUSED:
            dom.resume()
        elif state not in (libvirt.VIR_DOMAIN_RUNNING, libvirt.VIR_DOMAIN_BLOCKED):
            raise base.InvalidState('instance %s is not paused or running' % uuid)

    @translate_errors
    def destroy(self, instance, network_info=None, block_device_info=None, keep_disks=False):
        uuid = uuid_arg(instance)
        vifs, bdi = vifs_arg(network_info), bdi_arg(block_device_info)
        paths = self._paths(uuid)
        taps = {v.tap_name for v in vifs}
        usages = {config.secret_usage(v.volume_id) for v in bdi.volumes}
        dom = self._lookup(uuid)
        if dom is not None:
            root = config.parse(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
            taps.update(t for t in config.tap_devices(root) if t.startswith('tap'))
            usages.update(u for u in config.secret_usages(root)
                          if u.startswith(config.SECRET_USAGE_PREFIX))
            self._undefine(dom)
        for tap in sorted(taps):
            vif_mod.delete_tap(tap)
        for usage in sorted(usages):
            volumes.delete_secret(self._conn(), usage)
        console.remove(paths.console_log)
        if keep_disks:
            for path in (paths.config_drive, paths.rescue_disk, paths.unrescue_xml):
                disks.remove(path)
        else:
            shutil.rmtree(paths.dir, ignore_errors=True)
        LOG.info('destroyed %s%s', uuid, ' (disks kept)' if keep_disks else '')

    def _undefine(self, dom):
        try:
            if dom.isActive():
                dom.destroy()
        except libvirt.libvirtError as exc:
            if exc.get_error_code() != libvirt.VIR_ERR_OPERATION_INVALID:   # already off
                raise
        try:
            dom.undefineFlags(_UNDEFINE_FLAGS)
        except libvirt.libvirtError as exc:
            if exc.get_error_code() != libvirt.VIR_ERR_NO_DOMAIN:
                raise

    @translate_errors
    def rebuild(self, instance, image_meta, network_info, block_device_info=None,
                image_fetcher=None, preserve_ephemeral=False):
        self._ensure_ready()
        instance = instance_arg(instance)
        image_meta = base.ImageMeta.from_dict(image_meta)
        vifs, bdi = vifs_arg(network_info), bdi_arg(block_device_info)
        paths = self._paths(instance.uuid)
        hardware.from_image(image_meta, self.settings.machine_type)
        dom = self._lookup(instance.uuid)
        if dom is not None:
            self._power_off(dom, self.settings.shutdown_timeout)
            self._undefine(dom)       # the taps stay: the bridge agent keeps them plugged
        self._make_instance_dir(paths)
        for path in [paths.disk, paths.swap, paths.config_drive, paths.rescue_disk,
                     paths.unrescue_xml] + ([] if preserve_ephemeral else [paths.ephemeral]):
            disks.remove(path)
        self._build_and_start(instance, image_meta, vifs, bdi, paths, image_fetcher)

    # ----------------------------------------------------------------- power

    def _wait_inactive(self, dom, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not dom.isActive():
                return True
            time.sleep(POLL_INTERVAL)
        return not dom.isActive()

    def _power_off(self, dom, timeout):
        """Clean shutdown for up to ``timeout`` s (ACPI, repeated: an early press can be
        missed while the guest boots), then pull the plug.  True when it went cleanly."""
        if not dom.isActive():
            return True
        state, _ = dom.state()
        if timeout > 0 and state in (libvirt.VIR_DOMAIN_RUNNING, libvirt.VIR_DOMAIN_BLOCKED):
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                try:
                    dom.shutdown()
                except libvirt.libvirtError as exc:
                    if exc.get_error_code() != libvirt.VIR_ERR_OPERATION_INVALID:
                        raise
                if self._wait_inactive(dom, min(10, max(0.0, deadline - time.monotonic()))):
                    return True
        try:
            dom.destroy()
        except libvirt.libvirtError as exc:
            if exc.get_error_code() != libvirt.VIR_ERR_OPERATION_INVALID:
                raise
        return False

    def _prepare_start(self, instance, network_info, block_device_info):
        """Taps and volume secrets must exist before QEMU starts (after a host reboot they
        do not)."""
        self.plug_vifs(instance, network_info)
        for attachment in bdi_arg(block_device_info).volumes:
            volumes.ensure_secret(self._conn(), volumes.IscsiTarget.from_attachment(attachment))

    @translate_errors
    def power_off(self, instance, timeout=None):
        timeout = self.settings.shutdown_timeout if timeout is None else timeout
        dom = self._domain(uuid_arg(instance))
        if dom.hasManagedSaveImage(0):
            dom.managedSaveRemove(0)       # powered off means the saved memory is gone
        return self._power_off(dom, timeout)

    @translate_errors
    def power_on(self, instance, network_info, block_device_info=None):
        dom = self._domain(uuid_arg(instance))
        if dom.isActive():
            return
        self._prepare_start(instance, network_info, block_device_info)
        dom.create()

    @translate_errors
    def reboot(self, instance, network_info, reboot_type='SOFT', block_device_info=None):
        """Returns 'SOFT' or 'HARD': what was done (a soft reboot the guest ignores
        within shutdown_timeout becomes hard)."""
        if reboot_type not in ('SOFT', 'HARD'):
            raise base.InvalidInput('reboot type must be SOFT or HARD')
        dom = self._domain(uuid_arg(instance))
        state, _ = dom.state()
        done = 'HARD'
        if reboot_type == 'SOFT' and state in (libvirt.VIR_DOMAIN_RUNNING,
                                               libvirt.VIR_DOMAIN_BLOCKED):
            dom.shutdown()
            if self._wait_inactive(dom, self.settings.shutdown_timeout):
                done = 'SOFT'
        if dom.isActive():
            dom.destroy()
        if dom.hasManagedSaveImage(0):
            dom.managedSaveRemove(0)
        self._prepare_start(instance, network_info, block_device_info)
        dom.create()
        return done

    @translate_errors
    def pause(self, instance):
        dom = self._domain(uuid_arg(instance))
        if not dom.isActive():
            raise base.InvalidState('instance %s is not running' % uuid_arg(instance))
        dom.suspend()

    @translate_errors
    def unpause(self, instance):
        dom = self._domain(uuid_arg(instance))
        state, _ = dom.state()
        if state != libvirt.VIR_DOMAIN_PAUSED:
            raise base.InvalidState('instance %s is not paused' % uuid_arg(instance))
        dom.resume()

    @translate_errors
    def suspend(self, instance):
        dom = self._domain(uuid_arg(instance))
        if not dom.isActive():
            raise base.InvalidState('instance %s is not running' % uuid_arg(instance))
        dom.managedSave(0)

    @translate_errors
    def resume(self, instance, network_info, block_device_info=None):
        dom = self._domain(uuid_arg(instance))
        if dom.isActive():
            state, _ = dom.state()
            if state == libvirt.VIR_DOMAIN_PAUSED:
                dom.resume()
            return
        if not dom.hasManagedSaveImage(0):
            raise base.InvalidState('instance %s has no saved state to resume'
                                    % uuid_arg(instance))
        self._prepare_start(instance, network_info, block_device_info)
        dom.create()                 # restores the managed save
        state, _ = dom.state()
        if state == libvirt.VIR_DOMAIN_PAUSED:
            dom.resume()             # it was paused when it was saved

    # -------------------------------------------------------------- snapshot

    @translate_errors
    def snapshot(self, instance, target_path):
        uuid = uuid_arg(instance)
        dom = self._domain(uuid)
        source = self._paths(uuid).disk
        state, _ = dom.state()
        pause = state in (libvirt.VIR_DOMAIN_RUNNING, libvirt.VIR_DOMAIN_BLOCKED)
        if pause:
            dom.suspend()            # QEMU flushes its caches when the guest stops
        try:
            disks.convert(source, 'qcow2', target_path, 'qcow2', force_share=True)
        finally:
            if pause:
                dom.resume()
        found = disks.info(target_path, 'qcow2')
        return base.SnapshotResult(path=target_path, disk_format='qcow2',
                                   container_format='bare', size=os.path.getsize(target_path),
                                   virtual_size=int(found['virtual-size']))

    # -------------------------------------------------------------- consoles

    @translate_errors
    def get_console_output(self, instance, max_bytes=None):
        uuid = uuid_arg(instance)
        self._domain(uuid)
        return console.tail(self._paths(uuid).console_log, max_bytes)

    @translate_errors
    def get_diagnostics(self, instance):
        uuid = uuid_arg(instance)
        dom = self._domain(uuid)
        return diagnostics.collect(dom, self._power_state(dom), self.virt_type,
                                   os.path.exists(self._paths(uuid).config_drive))

    @translate_errors
    def get_vnc_console(self, instance):
        dom = self._domain(uuid_arg(instance))
        if not dom.isActive():
            raise base.ConsoleNotAvailable('instance is not running')
        port = config.vnc_port(config.parse(dom.XMLDesc(0)))
        if port is None:
            raise base.ConsoleNotAvailable('instance has no VNC console')
        listen = self.settings.vnc_listen
        return base.ConsoleEndpoint(host='127.0.0.1' if listen in ('0.0.0.0', '::') else listen,
                                    port=port)

    # ------------------------------------------------------------------ taps

    def plug_vifs(self, instance, network_info):
        for vif in vifs_arg(network_info):
            vif_mod.ensure_tap(vif)

    def unplug_vifs(self, instance, network_info):
        for vif in vifs_arg(network_info):
            vif_mod.delete_tap(vif.tap_name)

    # ------------------------------------------------------------ image cache

    def prune_image_cache(self, min_age=None):
        """Remove cached images no local disk uses any more; return the removed paths."""
        min_age = self.settings.image_cache_min_age if min_age is None else min_age
        in_use = set()
        root = self.settings.instances_path
        for uuid in os.listdir(root):
            if uuid.startswith(('_', '.')):
                continue
            paths = self._paths(uuid)
            candidates = paths.local_disks() + [paths.rescue_disk]
            if os.path.isdir(paths.resize_backup):
                candidates += [os.path.join(paths.resize_backup, n)
                               for n in os.listdir(paths.resize_backup)]
            for path in candidates:
                if os.path.exists(path) and not path.endswith('.xml'):
                    try:
                        backing = disks.info(path, 'qcow2').get('full-backing-filename')
                    except base.VirtError:
                        continue
                    if backing:
                        in_use.add(backing)
        return self.image_cache.prune(in_use, min_age)


def _warn_if_untraversable(path):
    """QEMU runs as its own user: every parent of the instances path must let others
    through (o+x), or each spawn fails with 'Permission denied'."""
    path = os.path.abspath(path)
    while path != '/':
        if not os.stat(path).st_mode & 0o001:
            LOG.warning('%s is not traversable by other users (o+x): QEMU will not reach '
                        'the disks under it', path)
            return
        path = os.path.dirname(path)
