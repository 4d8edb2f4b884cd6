"""Client side of the compute daemons' RPC (see CONTRACT.md for every method)."""
from common import rpcapi

EXCHANGE = 'compute'
CONDUCTOR_TOPIC = 'compute-conductor'
SCHEDULER_TOPIC = 'compute-scheduler'
WORKER_TOPIC = 'compute-worker'


class _API(rpcapi.RPCAPI):
    """``host`` and ``server`` are ordinary arguments of compute methods (a worker's host
    name, a server dict), so the target and timeout are positional-only here."""
    EXCHANGE = EXCHANGE

    def _call(self, ctx, method, to=None, timeout=None, /, **kwargs):
        return self._prepare(to, timeout).call(ctx, method, **kwargs)

    def _cast(self, ctx, method, to=None, /, **kwargs):
        self._prepare(to).cast(ctx, method, **kwargs)


class ConductorAPI(_API):
    """What workers and the API ask the conductor (the DB holder) to do."""
    TOPIC = CONDUCTOR_TOPIC

    def build_instances(self, ctx, instance_uuids, request_spec):
        self._cast(ctx, 'build_instances', instance_uuids=instance_uuids,
                   request_spec=request_spec)

    def unshelve_instance(self, ctx, instance_uuid, request_spec):
        self._cast(ctx, 'unshelve_instance', instance_uuid=instance_uuid,
                   request_spec=request_spec)

    def instance_update(self, ctx, uuid, values, expected_task_state='<unset>'):
        return self._call(ctx, 'instance_update', uuid=uuid, values=values,
                          expected_task_state=expected_task_state)

    def instance_get(self, ctx, uuid):
        return self._call(ctx, 'instance_get', uuid=uuid)

    def instances_on_host(self, ctx, host):
        return self._call(ctx, 'instances_on_host', host=host)

    def instance_fault_create(self, ctx, uuid, code, message, details=None, host=None):
        self._cast(ctx, 'instance_fault_create', uuid=uuid, code=code, message=message,
                   details=details, host=host)

    def action_event(self, ctx, uuid, request_id, event, phase, result=None, traceback=None,
                     host=None):
        self._cast(ctx, 'action_event', uuid=uuid, request_id=request_id, event=event,
                   phase=phase, result=result, traceback=traceback, host=host)

    def build_failed(self, ctx, uuid, host, reason, details=None, reschedule=True):
        return self._call(ctx, 'build_failed', uuid=uuid, host=host, reason=reason,
                          details=details, reschedule=reschedule)

    def instance_destroy(self, ctx, uuid, host=None):
        return self._call(ctx, 'instance_destroy', uuid=uuid, host=host)

    def release_claim(self, ctx, uuid, kind=None):
        return self._call(ctx, 'release_claim', uuid=uuid, kind=kind)

    def resize_claim(self, ctx, uuid, flavor):
        return self._call(ctx, 'resize_claim', uuid=uuid, flavor=flavor)

    def compute_node_update(self, ctx, host, resources):
        return self._call(ctx, 'compute_node_update', host=host, resources=resources)

    def service_report(self, ctx, binary, host, state=None, timeout=None):
        return self._call(ctx, 'service_report', None, timeout, binary=binary, host=host,
                          state=state)

    def finish_resize_claims(self, ctx, uuid, confirmed):
        return self._call(ctx, 'finish_resize_claims', uuid=uuid, confirmed=confirmed)

    def migration_update(self, ctx, migration_uuid, values):
        return self._call(ctx, 'migration_update', migration_uuid=migration_uuid,
                          values=values)

    def bdm_list(self, ctx, instance_uuid):
        """The server's block device mappings (dicts of compute.db.bdms)."""
        return self._call(ctx, 'bdm_list', instance_uuid=instance_uuid)

    def bdm_update(self, ctx, bdm_uuid, values):
        return self._call(ctx, 'bdm_update', bdm_uuid=bdm_uuid, values=values)


class SchedulerAPI(_API):
    TOPIC = SCHEDULER_TOPIC

    def select_destinations(self, ctx, request_spec, instance_uuids):
        return self._call(ctx, 'select_destinations', request_spec=request_spec,
                          instance_uuids=instance_uuids)


class WorkerAPI(_API):
    """Casts (and a few calls) to the worker of the server's host."""
    TOPIC = WORKER_TOPIC

    def cast(self, ctx, host, method, **kwargs):
        self._cast(ctx, method, host, **kwargs)

    def call(self, ctx, host, method, timeout=None, **kwargs):
        return self._call(ctx, method, host, timeout, **kwargs)

    def build_and_run_instance(self, ctx, host, server, request_spec):
        self.cast(ctx, host, 'build_and_run_instance', server=server, request_spec=request_spec)

    def terminate_instance(self, ctx, server):
        self.cast(ctx, server['host'], 'terminate_instance', server=server)

    def simple_action(self, ctx, server, method, **kwargs):
        """stop/start/reboot/pause/unpause/suspend/resume/rescue/unrescue/... (casts)."""
        self.cast(ctx, server['host'], method, server=server, **kwargs)

    def get_console_output(self, ctx, server, max_bytes=None):
        return self.call(ctx, server['host'], 'get_console_output', server=server,
                         max_bytes=max_bytes)

    def get_diagnostics(self, ctx, server):
        return self.call(ctx, server['host'], 'get_diagnostics', timeout=60, server=server)

    def get_vnc_console(self, ctx, server):
        return self.call(ctx, server['host'], 'get_vnc_console', server=server)

    def attach_interface(self, ctx, server, port_id=None, net_id=None, fixed_ip=None,
                         tag=None):
        return self.call(ctx, server['host'], 'attach_interface', timeout=300, server=server,
                         port_id=port_id, net_id=net_id, fixed_ip=fixed_ip, tag=tag)

    def detach_interface(self, ctx, server, port_id):
        return self.call(ctx, server['host'], 'detach_interface', timeout=120, server=server,
                         port_id=port_id)

    def attach_volume(self, ctx, server, bdm):
        """Connect, attach and complete a reserved volume -> {device_name}."""
        return self.call(ctx, server['host'], 'attach_volume', timeout=300, server=server,
                         bdm=bdm)

    def detach_volume(self, ctx, server, bdm):
        return self.call(ctx, server['host'], 'detach_volume', timeout=300, server=server,
                         bdm=bdm)

    def external_instance_event(self, ctx, server, event):
        self.cast(ctx, server['host'], 'external_instance_event', server=server, event=event)
