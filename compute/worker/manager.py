"""compute-worker: runs servers on this host through the virt driver.

The worker has no database: it gets the server dict in each message and writes state
through the conductor.  A build binds ports to this host, spawns the guest paused, waits
for ``network-vif-plugged`` of every port and only then lets the guest run.
"""
import logging
import os
import tempfile
import threading
import time
import traceback

from common import context as context_mod
from common import manager as manager_mod
from common import rpc
from common import service as service_mod
from compute import clients
from compute import exceptions
from compute import rpcapi
from compute import states
from compute.drivers import base
from compute.drivers import power_state
from compute.worker import events as events_mod
from compute.worker import volumes as volumes_mod

LOG = logging.getLogger(__name__)

BINARY = 'compute-worker'


def driver_instance(server):
    """The driver's Instance dict of a server dict."""
    flavor = server['flavor']
    keys = {server['key_name']: server['key_data']} if server.get('key_data') else {}
    return {
        'uuid': server['uuid'], 'name': 'instance-%s' % server['uuid'],
        'flavor': {'id': flavor['id'], 'name': flavor['name'], 'vcpus': flavor['vcpus'],
                   'memory_mb': flavor['memory_mb'], 'root_gb': flavor['root_gb'],
                   'ephemeral_gb': flavor.get('ephemeral_gb', 0),
                   'swap_mb': flavor.get('swap_mb', 0),
                   'extra_specs': flavor.get('extra_specs') or {}},
        'hostname': server.get('hostname') or '',
        'display_name': server.get('display_name') or '', 'project_id': server['project_id'],
        'user_id': server['user_id'], 'image_ref': server.get('image_ref') or '',
        'metadata': server.get('metadata') or {}, 'public_keys': keys,
        'user_data': server.get('user_data'), 'config_drive': bool(server.get('config_drive')),
        'availability_zone': server.get('availability_zone'),
        'launch_index': server.get('launch_index', 0),
        'reservation_id': server.get('reservation_id') or '',
        'security_groups': server.get('security_groups') or [],
        'created_at': str(server.get('created_at') or ''),
    }


class WorkerManager(manager_mod.Manager, clients.ServiceClients):
    def __init__(self, conf, transport, driver=None, image_api=None, network_api=None):
        super().__init__(conf)
        self.conductor = rpcapi.ConductorAPI(transport)
        if driver is None:
            from compute import drivers
            if conf.compute.compute_driver == 'libvirt':
                from compute.drivers.libvirt import settings
                driver = drivers.load_driver('libvirt', settings.LibvirtSettings.from_conf(conf))
            else:
                driver = drivers.load_driver(conf.compute.compute_driver)
        self.driver = driver
        self._image_api = image_api
        self._network_api = network_api
        self.events = events_mod.EventWaiters()
        self.volumes = volumes_mod.WorkerVolumes(self)
        self._locks = {}
        self._locks_guard = threading.Lock()

    def _lock(self, uuid):
        """One operation at a time per server (a delete waits for a running build step)."""
        with self._locks_guard:
            return self._locks.setdefault(uuid, threading.RLock())

    # ------------------------------------------------------------ host
    def init_host(self):
        self.driver.init_host(self.host)
        ctx = context_mod.RequestContext.admin_context()
        self._wait_for_conductor(ctx)
        self._update_available_resource()
        try:
            self._recover(ctx)
        except (rpc.MessagingTimeout, rpc.RemoteError):
            LOG.exception('recovery of this host\'s servers failed; retried by the power sync')

    def _wait_for_conductor(self, ctx, attempt_timeout=5):
        """Block until a conductor answers (it may start after us, or be restarting):
        the worker can do nothing without one."""
        while True:
            try:
                self.conductor.service_report(ctx, BINARY, self.host, timeout=attempt_timeout)
                return
            except rpc.MessagingTimeout:
                LOG.warning('no conductor answers yet; waiting')

    @service_mod.periodic_task(spacing=10, run_immediately=False)
    def _report_state(self):
        ctx = context_mod.RequestContext.admin_context()
        self.conductor.service_report(ctx, BINARY, self.host)

    @service_mod.periodic_task(spacing=30, run_immediately=False)
    def _update_available_resource(self):
        ctx = context_mod.RequestContext.admin_context()
        resources = self.driver.get_available_resource().to_dict()
        c = self.conf.compute
        resources.update(availability_zone=c.default_availability_zone,
                         cpu_allocation_ratio=c.cpu_allocation_ratio,
                         ram_allocation_ratio=c.ram_allocation_ratio,
                         disk_allocation_ratio=c.disk_allocation_ratio,
                         reserved_host_memory_mb=c.reserved_host_memory_mb,
                         reserved_host_disk_mb=c.reserved_host_disk_mb)
        resources['hypervisor_hostname'] = resources.get('hypervisor_hostname') or self.host
        libvirt_conf = getattr(self.conf, 'libvirt', None)
        resources.setdefault('host_ip', getattr(libvirt_conf, 'my_ip', None))
        self.conductor.compute_node_update(ctx, self.host, resources)

    def _recover(self, ctx):
        """After a restart: finish deletes, fail interrupted builds, settle tasks, and
        remove domains no server owns."""
        servers = self.conductor.instances_on_host(ctx, self.host)
        owned = {s['uuid'] for s in servers}
        for server in servers:
            try:
                self._recover_one(ctx, server)
            except Exception:  # noqa: B902 - one server must not stop the others
                LOG.exception('recovery of %s failed', server['uuid'])
        for uuid in self.driver.list_instances():
            if uuid not in owned and self._is_our_orphan(ctx, uuid):
                LOG.warning('destroying domain of %s: its server is deleted or elsewhere', uuid)
                try:
                    self.driver.destroy(uuid)
                except base.VirtError:
                    LOG.exception('could not destroy orphan %s', uuid)

    def _is_our_orphan(self, ctx, uuid):
        """True for a domain of a server of THIS cloud that is deleted or lives on another
        host; a domain this cloud's database does not know belongs to someone else (one
        libvirtd may serve several clouds and tests) and is left alone."""
        try:
            server = self.conductor.instance_get(ctx, uuid)
        except rpc.RemoteError as error:
            if error.exc_type == 'InstanceNotFound':
                return False
            raise
        return bool(server.get('deleted')) or server.get('host') != self.host

    def _recover_one(self, ctx, server):
        task, vm = server['task_state'], server['vm_state']
        if task == states.DELETING:
            self.terminate_instance(ctx, server)
        elif vm == states.BUILDING:
            self._cleanup_build(ctx, server, server.get('network_info') or [])
            self.conductor.build_failed(ctx, server['uuid'], self.host,
                                        'The build was interrupted by a restart of the '
                                        'compute worker.', reschedule=False)
        elif task is not None:
            self._settle(ctx, server)

    def _settle(self, ctx, server):
        """Clear an interrupted task: the state follows what the hypervisor shows."""
        try:
            state = self.driver.get_info(server['uuid']).state
        except base.InstanceNotFound:
            state = power_state.NOSTATE
        vm = {power_state.RUNNING: states.ACTIVE, power_state.PAUSED: states.PAUSED,
              power_state.SUSPENDED: states.SUSPENDED}.get(state, states.STOPPED)
        if server['vm_state'] in (states.RESCUED, states.RESIZED) and \
                state == power_state.RUNNING:
            vm = server['vm_state']
        if server['task_state'] in (states.RESIZE_PREP, states.RESIZE_MIGRATING,
                                    states.RESIZE_MIGRATED, states.RESIZE_FINISH):
            self.conductor.release_claim(ctx, server['uuid'], 'resize')
        self.conductor.instance_update(ctx, server['uuid'], {
            'vm_state': vm, 'task_state': None, 'power_state': state, 'new_flavor': None})

    @service_mod.periodic_task(spacing=60, run_immediately=False)
    def _sync_power_states(self):
        """A guest that died or shut down inside shows SHUTOFF; a stopped one stays off."""
        ctx = context_mod.RequestContext.admin_context()
        servers = self.conductor.instances_on_host(ctx, self.host)
        hv_states = self.driver.list_instance_power_states()
        for server in servers:
            if server['task_state'] is not None:
                continue
            hv = hv_states.get(server['uuid'], power_state.NOSTATE)
            record, action = power_state.reconcile(server['vm_state'], server['task_state'], hv)
            values = {}
            if record is not None and record != server['power_state']:
                values['power_state'] = record
            if action == power_state.MARK_STOPPED:
                values['vm_state'] = states.STOPPED
            elif action == power_state.POWER_OFF_GUEST:
                try:
                    self.driver.power_off(server['uuid'], timeout=0)
                    values['power_state'] = power_state.SHUTDOWN
                except base.VirtError:
                    LOG.exception('could not stop %s', server['uuid'])
            if values:
                try:
                    self.conductor.instance_update(ctx, server['uuid'], values,
                                                   expected_task_state=None)
                except rpc.RemoteError:
                    pass    # a task started meanwhile; it owns the state now

    # ------------------------------------------------------------ helpers
    def _event(self, ctx, server, name, phase, result=None, tb=None):
        try:
            self.conductor.action_event(ctx, server['uuid'], ctx.request_id, name, phase,
                                        result, tb, self.host)
        except Exception:  # noqa: B902 - the record is best effort
            LOG.debug('action event %s of %s not recorded', name, server['uuid'])

    def _update(self, ctx, server, values, expected=rpcapi.ConductorAPI):
        if expected is rpcapi.ConductorAPI:
            return self.conductor.instance_update(ctx, server['uuid'], values)
        return self.conductor.instance_update(ctx, server['uuid'], values,
                                              expected_task_state=expected)

    def _fault(self, ctx, server, error, code=500):
        self.conductor.instance_fault_create(ctx, server['uuid'], code, str(error)[:255],
                                             traceback.format_exc(), self.host)

    def _fetcher(self):
        return lambda image_id: self.image_api.download(image_id)

    # ------------------------------------------------------------ networking
    def _vif(self, port, network=None, created=False):
        fixed = []
        for ip in port.get('fixed_ips', []):
            subnet = self.network_api.get_subnet(ip['subnet_id'])
            fixed.append({'address': ip['ip_address'], 'cidr': subnet['cidr'],
                          'gateway': subnet.get('gateway_ip'),
                          'version': subnet.get('ip_version', 4),
                          'enable_dhcp': subnet.get('enable_dhcp', True),
                          'subnet_id': subnet['id'],
                          'dns_nameservers': subnet.get('dns_nameservers') or [],
                          'host_routes': subnet.get('host_routes') or []})
        if network is None:
            network = self.network_api.get_network(port['network_id'])
        return {'port_id': port['id'], 'mac': port['mac_address'],
                'network_id': port['network_id'], 'network_name': network.get('name') or '',
                'mtu': network.get('mtu'), 'fixed_ips': fixed, 'floating_ips': [],
                'created_by_compute': created, 'active': port.get('status') == 'ACTIVE'}

    def _allocate_network(self, ctx, server, spec):
        """Ports for the requested networks, bound to this host; [VIF dict]."""
        vifs = []
        sg_ids = spec.get('security_group_ids') or []
        owner = 'compute:%s' % (server.get('availability_zone') or 'nova')
        try:
            for req in spec.get('networks') or []:
                binding = {'device_id': server['uuid'], 'device_owner': owner,
                           'binding:host_id': self.host}
                if req.get('port_id'):
                    port = self.network_api.update_port(req['port_id'], binding)
                    created = False
                else:
                    body = dict(binding, network_id=req['network_id'],
                                project_id=server['project_id'], admin_state_up=True)
                    if sg_ids:
                        body['security_groups'] = sg_ids
                    if req.get('fixed_ip'):
                        body['fixed_ips'] = [{'ip_address': req['fixed_ip']}]
                    port = self.network_api.create_port(body)
                    created = True
                vif = self._vif(port, created=created)
                if req.get('tag'):
                    vif['tag'] = req['tag']   # the device tag the API shows from 2.70
                vifs.append(vif)
        except Exception:
            self._release_ports(vifs)
            raise
        return vifs

    def _release_ports(self, vifs):
        for vif in vifs:
            try:
                if vif.get('created_by_compute'):
                    self.network_api.delete_port(vif['port_id'])
                else:
                    self.network_api.update_port(vif['port_id'], {
                        'device_id': '', 'device_owner': '', 'binding:host_id': ''})
            except Exception:  # noqa: B902 - keep releasing the others
                LOG.exception('could not release port %s', vif.get('port_id'))

    def _wait_for_vifs(self, ctx, server, waiter, vifs):
        """Block until every port reported plugged (event, or ACTIVE on a re-check)."""
        timeout = self.conf.compute.vif_plugging_timeout
        if not vifs or not timeout:
            return
        pending = {v['port_id'] for v in vifs}
        deadline = time.monotonic() + timeout
        while pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise exceptions.BuildAbort('Timed out after %d s waiting for '
                                            'network-vif-plugged of port(s) %s'
                                            % (timeout, ', '.join(sorted(pending))))
            pending -= waiter.wait(min(5.0, remaining))
            if waiter.cancelled:
                raise BuildCancelled()
            for port_id in sorted(pending):
                # Safety net for an event lost on the way: look at the port itself.
                if self.network_api.get_port(port_id).get('status') == 'ACTIVE':
                    pending.discard(port_id)

    def external_instance_event(self, ctx, server, event):
        name = event.get('name')
        if name == 'network-vif-plugged' and event.get('status', 'completed') == 'completed':
            self.events.deliver(server['uuid'], event.get('tag'))
        elif name == 'network-changed':
            LOG.debug('network-changed for %s', server['uuid'])

    # ------------------------------------------------------------ build
    def build_and_run_instance(self, ctx, server, request_spec):
        with self._lock(server['uuid']):
            self._build(ctx, server, request_spec)

    def _build(self, ctx, server, spec):
        uuid = server['uuid']
        try:
            server = self._update(ctx, server, {'task_state': states.NETWORKING},
                                  expected=states.SCHEDULING)
        except rpc.RemoteError as error:
            latest = self.conductor.instance_get(ctx, uuid)
            if latest['deleted'] or latest['task_state'] == states.DELETING:
                LOG.info('not building %s: %s', uuid, error)
                self.conductor.release_claim(ctx, uuid)
            else:
                # A build sent again (a conductor died around sending it): this worker
                # has it already, and its claim stays.
                LOG.info('build of %s already under way (%s)', uuid, latest['task_state'])
            return
        self._event(ctx, server, 'compute_build_and_run_instance', 'start')
        vifs = []
        waiter = self.events.prepare(uuid)
        try:
            vifs = self._allocate_network(ctx, server, spec)
            server = self._update(ctx, server, {'network_info': vifs,
                                                'task_state': states.BLOCK_DEVICE_MAPPING},
                                  expected=states.NETWORKING)
            bdi = self.volumes.prepare(ctx, server, waiter)
            server = self._update(ctx, server, {'task_state': states.SPAWNING},
                                  expected=states.BLOCK_DEVICE_MAPPING)
            waiter.expect([v['port_id'] for v in vifs])
            image_meta = spec.get('image') or server.get('image_meta')
            self.driver.spawn(driver_instance(server), image_meta, vifs,
                              block_device_info=bdi, image_fetcher=self._fetcher(),
                              paused=True)
            self._wait_for_vifs(ctx, server, waiter, vifs)
            self.driver.resume_spawned(uuid)
            self.volumes.complete(ctx, server, bdi)
            server = self._update(ctx, server, {
                'vm_state': states.ACTIVE, 'task_state': None, 'launched_at': 'now',
                'power_state': power_state.RUNNING, 'network_info': [
                    dict(v, active=True) for v in vifs]}, expected=states.SPAWNING)
            self._event(ctx, server, 'compute_build_and_run_instance', 'finish', 'Success')
            LOG.info('server %s is ACTIVE on %s', uuid, self.host)
        except Exception as error:  # noqa: B902 - every failure cleans up, then reports
            deleted = isinstance(error, BuildCancelled) or (
                isinstance(error, rpc.RemoteError) and 'UnexpectedTaskState' in str(error))
            if deleted:
                LOG.info('build of %s stopped: the server is being deleted', uuid)
                self._cleanup_build(ctx, server, vifs)
                self._finish_delete_after_build(ctx, server)
                return
            LOG.exception('build of %s failed', uuid)
            self._event(ctx, server, 'compute_build_and_run_instance', 'finish', 'Error',
                        traceback.format_exc())
            self._cleanup_build(ctx, server, vifs)
            reschedule = not isinstance(error, (exceptions.BuildAbort, base.ImageUnacceptable,
                                                base.FlavorDiskTooSmall, base.InvalidInput))
            self.conductor.build_failed(ctx, uuid, self.host, _fault_message(error),
                                        traceback.format_exc(), reschedule=reschedule)
        finally:
            self.events.forget(uuid)

    def _cleanup_build(self, ctx, server, vifs):
        try:
            self.driver.destroy(server['uuid'], vifs or None)
        except base.VirtError:
            LOG.exception('could not destroy the failed build of %s', server['uuid'])
        self._release_ports(vifs or [])
        for error in self.volumes.release(ctx, server, delete=False):
            LOG.error('build cleanup of %s: %s', server['uuid'], error)

    def _finish_delete_after_build(self, ctx, server):
        """A delete arrived during the build (task_state became deleting)."""
        latest = self.conductor.instance_get(ctx, server['uuid'])
        if latest.get('task_state') == states.DELETING or latest.get('deleted'):
            self.conductor.instance_destroy(ctx, server['uuid'], self.host)
        else:
            self.conductor.release_claim(ctx, server['uuid'])

    # ------------------------------------------------------------ delete
    def terminate_instance(self, ctx, server):
        # A build waiting for its ports gives up at once instead of at its timeout.
        self.events.cancel(server['uuid'])
        with self._lock(server['uuid']):
            latest = self.conductor.instance_get(ctx, server['uuid'])
            vifs = latest.get('network_info') or server.get('network_info') or []
            self._event(ctx, server, 'compute_terminate_instance', 'start')
            try:
                self.driver.destroy(server['uuid'], vifs or None)
            except base.VirtError as error:
                LOG.exception('destroy of %s failed', server['uuid'])
                self._fault(ctx, server, error)
                self._update(ctx, server, {'vm_state': states.ERROR, 'task_state': None})
                self._event(ctx, server, 'compute_terminate_instance', 'finish', 'Error',
                            traceback.format_exc())
                return
            self._release_ports(vifs)
            errors = self.volumes.release(ctx, server, delete=True)
            if errors:
                message = 'Could not release the server\'s volumes: %s' % '; '.join(errors)
                LOG.error('delete of %s: %s', server['uuid'], message)
                self.conductor.instance_fault_create(ctx, server['uuid'], 500, message[:255],
                                                     message, self.host)
                self._update(ctx, server, {'vm_state': states.ERROR, 'task_state': None})
                self._event(ctx, server, 'compute_terminate_instance', 'finish', 'Error',
                            message)
                return
            self._event(ctx, server, 'compute_terminate_instance', 'finish', 'Success')
            self.conductor.instance_destroy(ctx, server['uuid'], self.host)

    # ------------------------------------------------------------ simple actions
    def _action(self, ctx, server, event, func, done, error_state=None, ok=False):
        """Run ``func()``; then write ``done`` (a dict or a callable returning one).  On a
        driver error the server keeps (or goes to ``error_state``) with a fault."""
        with self._lock(server['uuid']):
            self._event(ctx, server, event, 'start')
            try:
                result = func()
                values = done(result) if callable(done) else dict(done)
                values.setdefault('task_state', None)
                self._update(ctx, server, values)
                self._event(ctx, server, event, 'finish', 'Success')
                return True if ok else result
            except Exception as error:  # noqa: B902 - the server must leave its task state
                LOG.exception('%s of %s failed', event, server['uuid'])
                self._fault(ctx, server, error)
                values = {'task_state': None}
                if error_state:
                    values['vm_state'] = error_state
                self._update(ctx, server, values)
                self._event(ctx, server, event, 'finish', 'Error', traceback.format_exc())
                return None

    def _power(self, uuid):
        try:
            return self.driver.get_info(uuid).state
        except base.InstanceNotFound:
            return power_state.NOSTATE

    def stop_instance(self, ctx, server):
        self._action(ctx, server, 'compute_stop_instance',
                     lambda: self.driver.power_off(server['uuid'],
                                                   self.conf.compute.shutdown_timeout),
                     lambda _: {'vm_state': states.STOPPED,
                                'power_state': self._power(server['uuid'])})

    def start_instance(self, ctx, server):
        self._action(ctx, server, 'compute_start_instance',
                     lambda: self.driver.power_on(server['uuid'], server['network_info']),
                     {'vm_state': states.ACTIVE, 'power_state': power_state.RUNNING})

    def reboot_instance(self, ctx, server, reboot_type='SOFT'):
        self._action(ctx, server, 'compute_reboot_instance',
                     lambda: self.driver.reboot(server['uuid'], server['network_info'],
                                                reboot_type),
                     {'vm_state': states.ACTIVE, 'power_state': power_state.RUNNING},
                     error_state=states.ERROR if reboot_type == 'HARD' else None)

    def pause_instance(self, ctx, server):
        self._action(ctx, server, 'compute_pause_instance',
                     lambda: self.driver.pause(server['uuid']),
                     {'vm_state': states.PAUSED, 'power_state': power_state.PAUSED})

    def unpause_instance(self, ctx, server):
        self._action(ctx, server, 'compute_unpause_instance',
                     lambda: self.driver.unpause(server['uuid']),
                     {'vm_state': states.ACTIVE, 'power_state': power_state.RUNNING})

    def suspend_instance(self, ctx, server):
        self._action(ctx, server, 'compute_suspend_instance',
                     lambda: self.driver.suspend(server['uuid']),
                     {'vm_state': states.SUSPENDED, 'power_state': power_state.SUSPENDED})

    def resume_instance(self, ctx, server):
        self._action(ctx, server, 'compute_resume_instance',
                     lambda: self.driver.resume(server['uuid'], server['network_info']),
                     {'vm_state': states.ACTIVE, 'power_state': power_state.RUNNING})

    def rescue_instance(self, ctx, server, rescue_image_meta=None):
        self._action(ctx, server, 'compute_rescue_instance',
                     lambda: self.driver.rescue(driver_instance(server), server['network_info'],
                                                server.get('image_meta') or {},
                                                rescue_image_meta=rescue_image_meta,
                                                image_fetcher=self._fetcher(),
                                                block_device_info=self.volumes.
                                                block_device_info(ctx, server)),
                     {'vm_state': states.RESCUED, 'power_state': power_state.RUNNING})

    def unrescue_instance(self, ctx, server):
        self._action(ctx, server, 'compute_unrescue_instance',
                     lambda: self.driver.unrescue(server['uuid'], server['network_info']),
                     {'vm_state': states.ACTIVE, 'power_state': power_state.RUNNING})

    def rebuild_instance(self, ctx, server, image_meta, preserve_ephemeral=False):
        self._action(ctx, server, 'compute_rebuild_instance',
                     lambda: self.driver.rebuild(driver_instance(server), image_meta,
                                                 server['network_info'],
                                                 block_device_info=self.volumes.
                                                 block_device_info(ctx, server),
                                                 image_fetcher=self._fetcher(),
                                                 preserve_ephemeral=preserve_ephemeral),
                     {'vm_state': states.ACTIVE, 'power_state': power_state.RUNNING,
                      'launched_at': 'now'}, error_state=states.ERROR)

    # ------------------------------------------------------------ resize
    def resize_instance(self, ctx, server, new_flavor, migration):
        def run():
            self.conductor.resize_claim(ctx, server['uuid'], new_flavor)
            self.conductor.migration_update(ctx, migration['uuid'], {'status': 'migrating'})
            was_on = self._power(server['uuid']) == power_state.RUNNING
            try:
                self.driver.resize(driver_instance(server), _driver_flavor(new_flavor),
                                   server['network_info'], server.get('image_meta') or {},
                                   block_device_info=self.volumes.block_device_info(
                                       ctx, server), power_on=was_on)
            except Exception:
                self.conductor.release_claim(ctx, server['uuid'], 'resize')
                self.conductor.migration_update(ctx, migration['uuid'], {'status': 'error'})
                raise
            self.conductor.migration_update(ctx, migration['uuid'], {'status': 'finished'})
            return was_on

        def done(was_on):
            values = {'vm_state': states.RESIZED, 'old_flavor': server['flavor'],
                      'flavor': new_flavor, 'flavor_id': new_flavor['id'], 'new_flavor': None,
                      'power_state': power_state.RUNNING if was_on else power_state.SHUTDOWN,
                      'system_metadata': dict(server.get('system_metadata') or {},
                                              old_vm_state=server['vm_state'],
                                              migration_uuid=migration['uuid'])}
            values.update(_flavor_columns(new_flavor))
            return values
        self._action(ctx, server, 'compute_resize_instance', run, done)

    def confirm_resize(self, ctx, server):
        migration = (server.get('system_metadata') or {}).get('migration_uuid')

        def run():
            self.driver.confirm_resize(server['uuid'])
            self.conductor.finish_resize_claims(ctx, server['uuid'], True)
            if migration:
                self.conductor.migration_update(ctx, migration, {'status': 'confirmed'})
        old_vm = (server.get('system_metadata') or {}).get('old_vm_state', states.ACTIVE)
        self._action(ctx, server, 'compute_confirm_resize', run,
                     {'vm_state': old_vm, 'old_flavor': None})

    def revert_resize(self, ctx, server):
        migration = (server.get('system_metadata') or {}).get('migration_uuid')
        old = server.get('old_flavor') or server['flavor']
        old_vm = (server.get('system_metadata') or {}).get('old_vm_state', states.ACTIVE)

        def run():
            self.driver.revert_resize(driver_instance(server), _driver_flavor(old),
                                      server['network_info'], server.get('image_meta') or {},
                                      power_on=old_vm == states.ACTIVE)
            self.conductor.finish_resize_claims(ctx, server['uuid'], False)
            if migration:
                self.conductor.migration_update(ctx, migration, {'status': 'reverted'})
        values = {'vm_state': old_vm, 'flavor': old, 'flavor_id': old['id'],
                  'old_flavor': None, 'power_state': power_state.RUNNING
                  if old_vm == states.ACTIVE else power_state.SHUTDOWN}
        values.update(_flavor_columns(old))
        self._action(ctx, server, 'compute_revert_resize', run, values)

    # ------------------------------------------------------------ images
    def _snapshot_upload(self, ctx, server, image_id):
        with tempfile.TemporaryDirectory(prefix='snap-', dir=self._snapshot_dir()) as tmp:
            path = os.path.join(tmp, 'snapshot.qcow2')
            self.driver.snapshot(server['uuid'], path)
            with open(path, 'rb') as data:
                self.image_api.upload(image_id, data)

    def _snapshot_dir(self):
        path = os.path.join(self.conf.state_path, 'snapshots')
        os.makedirs(path, exist_ok=True)
        return path

    def snapshot_instance(self, ctx, server, image_id):
        def run():
            try:
                self._snapshot_upload(ctx, server, image_id)
            except Exception:
                self.image_api.delete(image_id)
                raise
        self._action(ctx, server, 'compute_snapshot_instance', run, {})

    def shelve_instance(self, ctx, server, image_id):
        def run():
            try:
                self._snapshot_upload(ctx, server, image_id)
            except Exception:
                self.image_api.delete(image_id)
                raise
            self.driver.power_off(server['uuid'], self.conf.compute.shutdown_timeout)
        done = self._action(ctx, server, 'compute_shelve_instance', run,
                            {'vm_state': states.SHELVED, 'power_state': power_state.SHUTDOWN,
                             'system_metadata': dict(server.get('system_metadata') or {},
                                                     shelved_at=time.time())},
                            ok=True)
        if done and self.conf.compute.shelved_offload_time == 0:
            self._offload(ctx, server['uuid'])

    def _offload(self, ctx, uuid):
        try:
            latest = self.conductor.instance_update(
                ctx, uuid, {'task_state': states.SHELVING_OFFLOADING},
                expected_task_state=None)
        except rpc.RemoteError:
            return      # another action came first
        self.shelve_offload_instance(ctx, latest)

    @service_mod.periodic_task(spacing=3600, run_immediately=False)
    def _offload_shelved(self):
        """Offload shelved servers older than shelved_offload_time (when it is > 0)."""
        delay = self.conf.compute.shelved_offload_time
        if delay <= 0:
            return
        ctx = context_mod.RequestContext.admin_context()
        for server in self.conductor.instances_on_host(ctx, self.host):
            shelved_at = (server.get('system_metadata') or {}).get('shelved_at') or 0
            if server['vm_state'] == states.SHELVED and server['task_state'] is None and \
                    time.time() - shelved_at >= delay:
                self._offload(ctx, server['uuid'])

    def shelve_offload_instance(self, ctx, server):
        def run():
            self.driver.destroy(server['uuid'], server['network_info'])
            for vif in server.get('network_info') or []:
                self.network_api.update_port(vif['port_id'], {'binding:host_id': ''})
            self.conductor.release_claim(ctx, server['uuid'])
        self._action(ctx, server, 'compute_shelve_offload_instance', run,
                     {'vm_state': states.SHELVED_OFFLOADED, 'power_state': power_state.NOSTATE,
                      'host': None, 'node': None})

    def unshelve_instance(self, ctx, server, image_id=None):
        sysmeta = dict(server.get('system_metadata') or {})
        shelved_image = sysmeta.pop('shelved_image_id', None)
        sysmeta.pop('shelved_at', None)

        def run():
            if server['vm_state'] == states.SHELVED and self.driver.list_instance_power_states(
            ).get(server['uuid']) is not None:
                self.driver.power_on(server['uuid'], server['network_info'])
                return
            image_ref = image_id or shelved_image or server.get('image_ref')
            meta = clients.image_meta(self.image_api.get(image_ref))
            for vif in server.get('network_info') or []:
                self.network_api.update_port(vif['port_id'], {'binding:host_id': self.host})
            self.driver.spawn(driver_instance(server), meta, server['network_info'],
                              image_fetcher=self._fetcher())
        done = self._action(ctx, server, 'compute_unshelve_instance', run,
                            {'vm_state': states.ACTIVE, 'power_state': power_state.RUNNING,
                             'host': self.host, 'system_metadata': sysmeta}, ok=True)
        if done and shelved_image:
            # The guest runs from its own disk now: the shelve snapshot goes (as in Nova).
            try:
                self.image_api.delete(shelved_image)
            except Exception:  # noqa: B902 - the server is fine; the image is logged
                LOG.exception('could not delete image %s of unshelved server %s',
                              shelved_image, server['uuid'])

    # ------------------------------------------------------------ consoles, NICs
    def get_console_output(self, ctx, server, max_bytes=None):
        return self.driver.get_console_output(server['uuid'], max_bytes)

    def get_diagnostics(self, ctx, server):
        return self.driver.get_diagnostics(server['uuid'])

    def get_vnc_console(self, ctx, server):
        return self.driver.get_vnc_console(server['uuid']).to_dict()

    def attach_interface(self, ctx, server, port_id=None, net_id=None, fixed_ip=None,
                         tag=None):
        with self._lock(server['uuid']):
            req = {'port_id': port_id, 'network_id': net_id, 'fixed_ip': fixed_ip, 'tag': tag}
            latest = self.conductor.instance_get(ctx, server['uuid'])
            spec = {'networks': [req], 'security_group_ids': (
                (latest.get('system_metadata') or {}).get('request_spec') or {}).get(
                'security_group_ids')}
            vifs = self._allocate_network(ctx, latest, spec)
            try:
                self.driver.attach_interface(server['uuid'], vifs[0])
            except Exception:
                self._release_ports(vifs)
                raise
            self._update(ctx, server, {'network_info': (latest.get('network_info') or [])
                                       + vifs})
            return vifs[0]

    def attach_volume(self, ctx, server, bdm):
        with self._lock(server['uuid']):
            return self.volumes.attach(ctx, server, bdm)

    def detach_volume(self, ctx, server, bdm):
        with self._lock(server['uuid']):
            self.volumes.detach(ctx, server, bdm)

    def detach_interface(self, ctx, server, port_id):
        with self._lock(server['uuid']):
            latest = self.conductor.instance_get(ctx, server['uuid'])
            vifs = latest.get('network_info') or []
            vif = [v for v in vifs if v['port_id'] == port_id]
            if not vif:
                raise exceptions.exc.NotFound('Port %s is not attached' % port_id)
            self.driver.detach_interface(server['uuid'], vif[0])
            self._release_ports(vif)
            self._update(ctx, server, {'network_info': [v for v in vifs
                                                        if v['port_id'] != port_id]})


class BuildCancelled(Exception):
    """The server was deleted while its build waited."""


def _driver_flavor(flavor):
    return {'id': flavor['id'], 'name': flavor['name'], 'vcpus': flavor['vcpus'],
            'memory_mb': flavor['memory_mb'], 'root_gb': flavor['root_gb'],
            'ephemeral_gb': flavor.get('ephemeral_gb', 0), 'swap_mb': flavor.get('swap_mb', 0),
            'extra_specs': flavor.get('extra_specs') or {}}


def _flavor_columns(flavor):
    return {'vcpus': flavor['vcpus'], 'memory_mb': flavor['memory_mb'],
            'root_gb': flavor['root_gb'], 'ephemeral_gb': flavor.get('ephemeral_gb', 0),
            'swap_mb': flavor.get('swap_mb', 0)}


def _fault_message(error):
    if isinstance(error, rpc.RemoteError):
        return error.message
    return str(error) or type(error).__name__
