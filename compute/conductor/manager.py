"""compute-conductor: builds (schedule, retry, fail) and the workers' state writes."""
import logging
import traceback

from common import context as context_mod
from common import manager as manager_mod
from common import rpc
from common import service as service_mod
from common.db import types
from compute import exceptions
from compute import rpcapi
from compute import states
from compute.db import bdms as bdms_db
from compute.db import claims
from compute.db import compute_nodes
from compute.db import instance_actions
from compute.db import instances as instances_db
from compute.db import models
from compute.db import server_groups as groups_db
from compute.db import services as services_db

LOG = logging.getLogger(__name__)

_UNSET = '<unset>'
# Columns a worker may write through instance_update.
WORKER_COLUMNS = frozenset((
    'vm_state', 'task_state', 'power_state', 'progress', 'network_info', 'launched_at',
    'host', 'node', 'image_ref', 'image_meta', 'flavor', 'old_flavor', 'new_flavor',
    'flavor_id', 'vcpus', 'memory_mb', 'root_gb', 'ephemeral_gb', 'swap_mb',
    'system_metadata', 'availability_zone'))


class ConductorManager(manager_mod.Manager):
    def __init__(self, conf, db, transport):
        super().__init__(conf)
        self.db = db
        self.scheduler = rpcapi.SchedulerAPI(transport)
        self.worker = rpcapi.WorkerAPI(transport)

    # ------------------------------------------------------------ builds
    def build_instances(self, ctx, instance_uuids, request_spec):
        spec = dict(request_spec)
        instance_uuids = self._still_to_build(ctx, instance_uuids, spec)
        if not instance_uuids:
            return
        try:
            dests = self.scheduler.select_destinations(ctx, spec, instance_uuids)
        except (rpc.RemoteError, rpc.MessagingTimeout, exceptions.NoValidHost) as error:
            reason = getattr(error, 'message', None) or str(error)
            if isinstance(error, rpc.MessagingTimeout):
                reason = 'The scheduler did not answer in time.'
            for uuid in instance_uuids:
                self._fail_build(ctx, uuid, reason, details=None)
            return
        for uuid, dest in zip(instance_uuids, dests):
            self._send_to_host(ctx, uuid, dest, spec)

    def _still_to_build(self, ctx, instance_uuids, spec):
        """The servers of a build request still waiting for a host.  A request comes again
        when a conductor died handling it (its message is redelivered) or was left behind
        (``_recover_stuck_builds``): a server deleted or already taken by its worker is
        left alone, one given a host whose worker may never have heard of it is sent to
        that host again (the worker ignores a build it already started)."""
        waiting = []
        for uuid in instance_uuids:
            try:
                server = instances_db.get(self.db, uuid)
            except exceptions.InstanceNotFound:
                continue
            if server['vm_state'] != states.BUILDING or \
                    server['task_state'] != states.SCHEDULING:
                continue
            if server['host']:
                LOG.info('sending %s to %s again', uuid, server['host'])
                self.worker.build_and_run_instance(ctx, server['host'], server, spec)
                continue
            waiting.append(uuid)
        return waiting

    def _send_to_host(self, ctx, uuid, dest, spec):
        try:
            server = instances_db.update(self.db, uuid, {
                'host': dest['host'], 'node': dest['node'],
                'availability_zone': dest['availability_zone']},
                expected_task_state=states.SCHEDULING, check_task=True)
        except (exceptions.UnexpectedTaskState, exceptions.InstanceNotFound):
            # Deleted while scheduling: give the resources back.
            claims.release(self.db, uuid)
            return
        self.worker.build_and_run_instance(ctx, dest['host'], server, spec)

    def _fail_build(self, ctx, uuid, reason, details=None, host=None):
        claims.release(self.db, uuid)
        try:
            server = instances_db.get(self.db, uuid)
        except exceptions.InstanceNotFound:
            return
        if server['task_state'] == states.DELETING:
            # The user deleted it meanwhile: finish that instead of an ERROR.
            groups_db.remove_member(self.db, uuid)
            instances_db.soft_delete(self.db, uuid)
            return
        instances_db.add_fault(self.db, uuid, 500, reason, details, host)
        instances_db.update(self.db, uuid, {'vm_state': states.ERROR, 'task_state': None})
        instance_actions.event(self.db, uuid, ctx.request_id, 'conductor_schedule_and_build',
                               'finish', 'Error', details)

    def build_failed(self, ctx, uuid, host, reason, details=None, reschedule=True):
        """A worker could not build ``uuid`` (it has cleaned up): try another host or fail."""
        try:
            server = instances_db.get(self.db, uuid)
        except exceptions.InstanceNotFound:
            claims.release(self.db, uuid)
            return
        tried = list(server.get('retry_hosts') or []) + [host]
        if (not reschedule or len(tried) >= self.conf.scheduler.max_attempts
                or server['task_state'] == states.DELETING):
            if reschedule and len(tried) >= self.conf.scheduler.max_attempts:
                reason = ('Exceeded maximum number of retries. Exhausted all hosts available '
                          'for retrying build failures for instance %s. Last error: %s'
                          % (uuid, reason))
            self._fail_build(ctx, uuid, reason, details, host)
            return
        LOG.info('rescheduling %s away from %s: %s', uuid, host, reason)
        instances_db.update(self.db, uuid, {
            'retry_hosts': tried, 'host': None, 'node': None, 'network_info': [],
            'task_state': states.SCHEDULING, 'vm_state': states.BUILDING})
        spec = self._request_spec(server)
        spec['ignore_hosts'] = tried
        self.build_instances(ctx, [uuid], spec)

    def _request_spec(self, server):
        """The request spec of a server, rebuilt from its row (retries, unshelve)."""
        group = None
        with self.db.session() as sess:
            member = sess.query(models.ServerGroupMember).filter_by(
                instance_uuid=server['uuid']).first()
            if member is not None:
                row = sess.get(models.ServerGroup, member.group_id)
                group = {'uuid': row.uuid, 'policy': row.policy, 'rules': row.rules or {}}
        spec = dict((server.get('system_metadata') or {}).get('request_spec') or {})
        spec.update({'flavor': server['flavor'], 'image': server.get('image_meta') or {},
                     'availability_zone': server.get('requested_availability_zone'),
                     'project_id': server['project_id'], 'num_instances': 1,
                     'group': group, 'force_host': None, 'force_node': None})
        return spec

    def unshelve_instance(self, ctx, instance_uuid, request_spec):
        try:
            dests = self.scheduler.select_destinations(ctx, request_spec, [instance_uuid])
        except (rpc.RemoteError, rpc.MessagingTimeout) as error:
            instances_db.add_fault(self.db, instance_uuid, 500, str(error))
            instances_db.update(self.db, instance_uuid, {'task_state': None})
            return
        dest = dests[0]
        server = instances_db.update(self.db, instance_uuid, {
            'host': dest['host'], 'node': dest['node'],
            'availability_zone': dest['availability_zone']})
        self.worker.simple_action(ctx, server, 'unshelve_instance',
                                  image_id=request_spec.get('shelved_image_id'))

    # ------------------------------------------------------------ workers' state writes
    def instance_update(self, ctx, uuid, values, expected_task_state=_UNSET):
        values = {k: v for k, v in values.items() if k in WORKER_COLUMNS}
        for key in ('launched_at',):
            if isinstance(values.get(key), str):
                values[key] = types.utcnow()
        if expected_task_state == _UNSET:
            return instances_db.update(self.db, uuid, values)
        expected = (tuple(expected_task_state) if isinstance(expected_task_state, list)
                    else expected_task_state)
        return instances_db.update(self.db, uuid, values, expected_task_state=expected,
                                   check_task=True)

    def instance_get(self, ctx, uuid):
        return instances_db.get(self.db, uuid, show_deleted=True)

    def instances_on_host(self, ctx, host):
        return instances_db.list_on_host(self.db, host)

    def instance_fault_create(self, ctx, uuid, code, message, details=None, host=None):
        instances_db.add_fault(self.db, uuid, code, message, details, host)

    def action_event(self, ctx, uuid, request_id, event, phase, result=None, traceback=None,
                     host=None):
        instance_actions.event(self.db, uuid, request_id, event, phase, result, traceback,
                               host)

    def instance_destroy(self, ctx, uuid, host=None):
        claims.release(self.db, uuid)
        groups_db.remove_member(self.db, uuid)
        try:
            return instances_db.soft_delete(self.db, uuid)
        except exceptions.InstanceNotFound:
            return None

    def bdm_list(self, ctx, instance_uuid):
        return bdms_db.list_(self.db, instance_uuid)

    def bdm_update(self, ctx, bdm_uuid, values):
        return bdms_db.update(self.db, bdm_uuid, values)

    def release_claim(self, ctx, uuid, kind=None):
        return claims.release(self.db, uuid, kind)

    def resize_claim(self, ctx, uuid, flavor):
        """Claim the new flavor on the server's own node (kind 'resize')."""
        from compute.scheduler import filters as filters_mod
        server = instances_db.get(self.db, uuid)
        node = [n for n in compute_nodes.list_(self.db, server['host'])
                if n['hypervisor_hostname'] == server['node']]
        if not node:
            raise exceptions.NoValidHost('The server\'s compute node is unknown.')
        if not claims.claim(self.db, node[0]['id'], uuid, flavor['vcpus'], flavor['memory_mb'],
                            filters_mod.disk_gb(flavor), kind='resize'):
            raise exceptions.NoValidHost('The host has not enough free resources for the new '
                                         'flavor.')
        return True

    def finish_resize_claims(self, ctx, uuid, confirmed):
        """Confirm: the new flavor's claim becomes the server's; revert: drop it."""
        if confirmed:
            claims.move(self.db, uuid, 'resize', 'instance')
        else:
            claims.release(self.db, uuid, 'resize')

    def compute_node_update(self, ctx, host, resources):
        return compute_nodes.upsert(self.db, host, resources)

    def service_report(self, ctx, binary, host, state=None):
        services_db.report(self.db, binary, host, topic=binary, state=state)
        for svc in services_db.list_(self.db, self.conf.service_down_time, binary, host):
            return {'disabled': svc['disabled']}
        return {}

    def migration_update(self, ctx, migration_uuid, values):
        with self.db.session() as sess:
            row = sess.query(models.Migration).filter_by(uuid=migration_uuid).first()
            if row is None:
                return None
            for key in ('status', 'dest_compute', 'dest_node', 'dest_host'):
                if key in values:
                    setattr(row, key, values[key])
            return {'uuid': row.uuid, 'status': row.status}

    # ------------------------------------------------------------ recovery
    @service_mod.periodic_task(spacing=60)
    def _recover_stuck_builds(self):
        """Builds a conductor dropped (killed between API and worker): schedule again."""
        ctx = context_mod.RequestContext.admin_context()
        with self.db.session() as sess:
            # host None: never scheduled; host set: maybe never told to its worker.
            stuck = [r.uuid for r in sess.query(models.Instance).filter_by(
                deleted=False, vm_state=states.BUILDING, task_state=states.SCHEDULING)]
        for uuid in stuck:
            server = instances_db.get(self.db, uuid)
            age = (types.utcnow() - server['created_at']).total_seconds()
            if age < 60:
                continue    # probably still in a live request of another conductor
            LOG.info('rescheduling %s left in scheduling', uuid)
            try:
                self.build_instances(ctx, [uuid], self._request_spec(server))
            except Exception:  # noqa: B902 - one bad row must not stop the start
                LOG.exception('could not reschedule %s', uuid)
                self._fail_build(ctx, uuid, 'Build interrupted', traceback.format_exc())
