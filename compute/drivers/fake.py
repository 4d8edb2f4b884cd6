"""FakeDriver: servers kept in memory, for unit tests and for simulating many hosts in the
scheduler scale test.  It runs no guest, makes no file, tap or domain, and is never the
default driver of a running cloud.

It checks its inputs like the real driver and follows the same state rules (pause needs a
running guest, resume needs a suspended one, ...), so manager code tested on it meets the
same refusals.  ``fail_next(method, exc)`` makes the next call of a method raise.
"""
import copy
import threading

from compute.drivers import base
from compute.drivers import power_state

GiB = 1024 ** 3


class _FakeServer:
    def __init__(self, instance, image_meta, vifs, volumes):
        self.instance = instance
        self.image_meta = image_meta
        self.flavor = instance.flavor
        self.vifs = {v.port_id: v for v in vifs}
        self.volumes = {}
        # The root disk is vda (a local disk, or the volume with boot_index 0); the others
        # take the names they ask for, else the next free one.
        for v in volumes:
            if v.device_name or v.boot_index == 0:
                self.volumes[v.volume_id] = (v.device_name or 'vda').replace('/dev/', '')
        for v in volumes:
            if v.volume_id not in self.volumes:
                used = set(self.volumes.values()) | {'vda'}
                self.volumes[v.volume_id] = next('vd' + c for c in 'bcdefghijklmnop'
                                                 if 'vd' + c not in used)
        self.state = power_state.RUNNING
        self.rescued = False
        self.resize_from = None
        self.console = ['fake console of %s' % instance.uuid]


class FakeDriver(base.ComputeDriver):
    """In-memory driver; one instance simulates one host."""

    def __init__(self, host='fake-host', vcpus=16, memory_mb=32768, local_gb=1024,
                 hypervisor_version=1000):
        self.hostname = host
        self.vcpus, self.memory_mb, self.local_gb = vcpus, memory_mb, local_gb
        self.hypervisor_version = hypervisor_version
        self.servers = {}
        self.calls = []                 # (method, uuid) in call order, for tests
        self._failures = {}
        self._lock = threading.Lock()
        self.initialised = False

    # -- test helpers

    def fail_next(self, method, exc):
        """Make the next call of ``method`` raise ``exc``."""
        self._failures[method] = exc

    def _enter(self, method, instance=None):
        uuid = base.uuid_of(instance) if instance is not None else None
        self.calls.append((method, uuid))
        exc = self._failures.pop(method, None)
        if exc is not None:
            raise exc
        return uuid

    def _server(self, uuid):
        try:
            return self.servers[uuid]
        except KeyError:
            raise base.InstanceNotFound(uuid) from None

    def set_power_state(self, instance, state):
        """Simulate the guest changing state by itself (crash, poweroff inside)."""
        self._server(base.uuid_of(instance)).state = state

    # -- host

    def init_host(self, host):
        self._enter('init_host')
        if host:
            self.hostname = host
        self.initialised = True

    def get_available_resource(self):
        self._enter('get_available_resource')
        running = [s for s in self.servers.values()]
        return base.HostResources(
            vcpus=self.vcpus, memory_mb=self.memory_mb, local_gb=self.local_gb,
            vcpus_used=sum(s.flavor.vcpus for s in running),
            memory_mb_used=sum(s.flavor.memory_mb for s in running),
            local_gb_used=sum(s.flavor.root_gb + s.flavor.ephemeral_gb for s in running),
            hypervisor_type='fake', hypervisor_version=self.hypervisor_version,
            hypervisor_hostname=self.hostname,
            cpu_info={'arch': 'x86_64', 'model': 'fake', 'vendor': 'fake',
                      'topology': {'sockets': 1, 'cores': self.vcpus, 'threads': 1},
                      'features': []},
            disk_available_least=self.local_gb - sum(
                s.flavor.root_gb + s.flavor.ephemeral_gb for s in running),
            running_vms=sum(1 for s in running if s.state == power_state.RUNNING),
            virt_type='fake')

    def list_instances(self):
        self._enter('list_instances')
        return sorted(self.servers)

    def list_instance_power_states(self):
        self._enter('list_instance_power_states')
        return {uuid: s.state for uuid, s in self.servers.items()}

    def get_info(self, instance):
        server = self._server(self._enter('get_info', instance))
        return base.InstanceInfo(state=server.state, memory_mb=server.flavor.memory_mb,
                                 vcpus=server.flavor.vcpus)

    def get_diagnostics(self, instance):
        """Fake figures (unit tests only): sizes from the flavor, counters zero."""
        server = self._server(self._enter('get_diagnostics', instance))
        flavor = server.flavor
        disks = ['vda'] + sorted(d for d in server.volumes.values() if d != 'vda')
        nic_zero = dict.fromkeys(('rx_octets', 'rx_errors', 'rx_drop', 'rx_packets',
                                  'tx_octets', 'tx_errors', 'tx_drop', 'tx_packets'), 0)
        return {'state': power_state.DIAGNOSTICS_STATES.get(server.state, 'pending'),
                'driver': 'fake', 'hypervisor': 'fake', 'hypervisor_os': 'linux',
                'config_drive': False, 'num_cpus': flavor.vcpus, 'num_disks': len(disks),
                'num_nics': len(server.vifs),
                'memory_details': {'maximum': flavor.memory_mb, 'used': flavor.memory_mb},
                'cpu_details': [{'id': i, 'time': 0, 'utilisation': None}
                                for i in range(flavor.vcpus)],
                'nic_details': [dict(nic_zero, name=v.tap_name, mac_address=v.mac,
                                     rx_rate=None, tx_rate=None)
                                for v in server.vifs.values()],
                'disk_details': [{'name': d, 'read_bytes': 0, 'read_requests': 0,
                                  'write_bytes': 0, 'write_requests': 0, 'errors_count': 0}
                                 for d in disks]}

    def get_volume_connector(self):
        return {'initiator': 'iqn.2024-01.org.cirrostack:%s' % self.hostname,
                'host': self.hostname, 'ip': '127.0.0.1', 'platform': 'x86_64',
                'os_type': 'linux', 'multipath': False}

    # -- building

    def spawn(self, instance, image_meta, network_info, block_device_info=None,
              image_fetcher=None, paused=False):
        instance = base.Instance.from_dict(instance)
        image_meta = base.ImageMeta.from_dict(image_meta)
        vifs = [base.VIF.from_dict(v) for v in network_info or []]
        bdi = base.BlockDeviceInfo.from_dict(block_device_info or {})
        self._enter('spawn', instance)
        if not self.initialised:
            raise base.VirtError('the driver is not initialised (init_host was not called)')
        with self._lock:
            if instance.uuid in self.servers:
                raise base.InstanceExists(instance.uuid)
            if image_meta.size and instance.flavor.root_gb and \
                    image_meta.size > instance.flavor.root_gb * GiB:
                raise base.FlavorDiskTooSmall('flavor root disk is smaller than the image')
            server = _FakeServer(instance, image_meta, vifs, bdi.volumes)
            server.state = power_state.PAUSED if paused else power_state.RUNNING
            self.servers[instance.uuid] = server

    def resume_spawned(self, instance):
        server = self._server(self._enter('resume_spawned', instance))
        if server.state not in (power_state.PAUSED, power_state.RUNNING):
            raise base.InvalidState('instance is not paused or running')
        server.state = power_state.RUNNING

    def destroy(self, instance, network_info=None, block_device_info=None, keep_disks=False):
        uuid = self._enter('destroy', instance)
        with self._lock:
            self.servers.pop(uuid, None)

    def rebuild(self, instance, image_meta, network_info, block_device_info=None,
                image_fetcher=None, preserve_ephemeral=False):
        instance = base.Instance.from_dict(instance)
        server = self._server(self._enter('rebuild', instance))
        server.image_meta = base.ImageMeta.from_dict(image_meta)
        server.instance = instance
        server.state = power_state.RUNNING

    # -- power

    def _running(self, server):
        if server.state not in (power_state.RUNNING, power_state.PAUSED):
            raise base.InvalidState('instance is not running')

    def reboot(self, instance, network_info, reboot_type='SOFT', block_device_info=None):
        if reboot_type not in ('SOFT', 'HARD'):
            raise base.InvalidInput('reboot type must be SOFT or HARD')
        server = self._server(self._enter('reboot', instance))
        done = reboot_type if server.state == power_state.RUNNING else 'HARD'
        server.state = power_state.RUNNING
        server.console.append('rebooted (%s)' % done)
        return done

    def power_off(self, instance, timeout=None):
        server = self._server(self._enter('power_off', instance))
        server.state = power_state.SHUTDOWN
        return True

    def power_on(self, instance, network_info, block_device_info=None):
        server = self._server(self._enter('power_on', instance))
        server.state = power_state.RUNNING

    def pause(self, instance):
        server = self._server(self._enter('pause', instance))
        self._running(server)
        server.state = power_state.PAUSED

    def unpause(self, instance):
        server = self._server(self._enter('unpause', instance))
        if server.state != power_state.PAUSED:
            raise base.InvalidState('instance is not paused')
        server.state = power_state.RUNNING

    def suspend(self, instance):
        server = self._server(self._enter('suspend', instance))
        self._running(server)
        server.state = power_state.SUSPENDED

    def resume(self, instance, network_info, block_device_info=None):
        server = self._server(self._enter('resume', instance))
        if server.state not in (power_state.SUSPENDED, power_state.RUNNING,
                                power_state.PAUSED):
            raise base.InvalidState('instance has no saved state to resume')
        server.state = power_state.RUNNING

    # -- rescue, snapshot, resize

    def rescue(self, instance, network_info, image_meta, rescue_image_meta=None,
               image_fetcher=None, block_device_info=None):
        server = self._server(self._enter('rescue', instance))
        if server.rescued:
            raise base.InvalidState('instance is already in rescue')
        server.rescued = True
        server.state = power_state.RUNNING

    def unrescue(self, instance, network_info=None):
        server = self._server(self._enter('unrescue', instance))
        if not server.rescued:
            raise base.InvalidState('instance is not in rescue')
        server.rescued = False
        server.state = power_state.RUNNING

    def snapshot(self, instance, target_path):
        server = self._server(self._enter('snapshot', instance))
        data = ('fake snapshot of %s\n' % server.instance.uuid).encode()
        with open(target_path, 'wb') as f:
            f.write(data)
        return base.SnapshotResult(path=target_path, disk_format='qcow2',
                                   container_format='bare', size=len(data),
                                   virtual_size=max(1, server.flavor.root_gb) * GiB)

    def resize(self, instance, new_flavor, network_info, image_meta, block_device_info=None,
               power_on=True):
        server = self._server(self._enter('resize', instance))
        new_flavor = base.Flavor.from_dict(new_flavor)
        if server.resize_from is not None:
            raise base.InvalidState('instance has an unconfirmed resize')
        if new_flavor.root_gb and new_flavor.root_gb < server.flavor.root_gb:
            raise base.InvalidInput('resize cannot shrink the root disk')
        server.resize_from = copy.deepcopy(server.flavor)
        server.flavor = new_flavor
        server.state = power_state.RUNNING if power_on else power_state.SHUTDOWN

    def confirm_resize(self, instance):
        self._server(self._enter('confirm_resize', instance)).resize_from = None

    def revert_resize(self, instance, old_flavor, network_info, image_meta,
                      block_device_info=None, power_on=True):
        server = self._server(self._enter('revert_resize', instance))
        if server.resize_from is None:
            raise base.InvalidState('instance has no resize to revert')
        server.flavor, server.resize_from = server.resize_from, None
        server.state = power_state.RUNNING if power_on else power_state.SHUTDOWN

    # -- consoles

    def get_console_output(self, instance, max_bytes=None):
        server = self._server(self._enter('get_console_output', instance))
        text = '\n'.join(server.console) + '\n'
        return text[-max_bytes:] if max_bytes else text

    def get_vnc_console(self, instance):
        server = self._server(self._enter('get_vnc_console', instance))
        if server.state not in (power_state.RUNNING, power_state.PAUSED):
            raise base.ConsoleNotAvailable('instance is not running')
        return base.ConsoleEndpoint(host='127.0.0.1', port=5900)

    # -- hot-plug

    def attach_interface(self, instance, vif):
        server = self._server(self._enter('attach_interface', instance))
        vif = base.VIF.from_dict(vif)
        if any(v.mac == vif.mac for v in server.vifs.values()):
            raise base.InvalidState('instance already has a NIC with MAC %s' % vif.mac)
        server.vifs[vif.port_id] = vif

    def detach_interface(self, instance, vif):
        server = self._server(self._enter('detach_interface', instance))
        server.vifs.pop(base.VIF.from_dict(vif).port_id, None)

    def attach_volume(self, instance, attachment):
        server = self._server(self._enter('attach_volume', instance))
        attachment = base.VolumeAttachment.from_dict(attachment)
        if attachment.volume_id in server.volumes:
            raise base.InvalidState('volume is already attached')
        used = set(server.volumes.values())
        dev = attachment.device_name or next(
            'vd' + c for c in 'bcdefghijklmnopqrstuvwxyz' if 'vd' + c not in used)
        server.volumes[attachment.volume_id] = dev.replace('/dev/', '')
        return server.volumes[attachment.volume_id]

    def detach_volume(self, instance, attachment):
        server = self._server(self._enter('detach_volume', instance))
        server.volumes.pop(base.VolumeAttachment.from_dict(attachment).volume_id, None)

    def plug_vifs(self, instance, network_info):
        self._enter('plug_vifs', instance)

    def unplug_vifs(self, instance, network_info):
        self._enter('unplug_vifs', instance)
