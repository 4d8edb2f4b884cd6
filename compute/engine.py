"""The internal compute API: what the REST controllers ask of compute.

One place for the rules: each request is checked against the server's state machine
(compute.states), written to the database, and cast to the conductor or the worker of
the server's host.  Errors are compute.exceptions (4xx); see CONTRACT.md.
"""
import base64
import binascii
import logging
import re
import secrets
import uuid as uuid_mod

from common import exceptions as exc
from common import validators
from common.db import types
from compute import block_devices
from compute import clients
from compute import exceptions
from compute import rpcapi
from compute import states
from compute.db import bdms as bdms_db
from compute.db import claims
from compute.db import flavors as flavors_db
from compute.db import instance_actions
from compute.db import instances as instances_db
from compute.db import keypairs as keypairs_db
from compute.db import models
from compute.db import quotas as quotas_db
from compute.db import server_groups as groups_db
from compute.db import services as services_db

LOG = logging.getLogger(__name__)

WORKER_BINARY = 'compute-worker'
MAX_TAGS = 50
_HOSTNAME_BAD = re.compile(r'[^a-z0-9.-]+')


def sanitize_hostname(name, default='server'):
    """A DNS label from a display name (Nova's rule: lowercase, other characters to '-')."""
    host = _HOSTNAME_BAD.sub('-', (name or '').lower().replace('_', '-'))
    host = host.strip('.-')[:63].strip('.-')
    return host or default


def flavor_snapshot(flavor):
    """The flavor as stored on the server (the driver's Flavor plus the API's fields)."""
    return {'id': flavor['flavorid'], 'name': flavor['name'], 'vcpus': flavor['vcpus'],
            'memory_mb': flavor['memory_mb'], 'root_gb': flavor['root_gb'],
            'ephemeral_gb': flavor['ephemeral_gb'], 'swap_mb': flavor['swap'],
            'extra_specs': dict(flavor.get('extra_specs') or {}),
            'rxtx_factor': flavor.get('rxtx_factor', 1.0),
            'is_public': flavor.get('is_public', True),
            'description': flavor.get('description')}


def _flavor_columns(flavor):
    return {'vcpus': flavor['vcpus'], 'memory_mb': flavor['memory_mb'],
            'root_gb': flavor['root_gb'], 'ephemeral_gb': flavor['ephemeral_gb'],
            'swap_mb': flavor.get('swap_mb', flavor.get('swap', 0))}


class Engine(block_devices.VolumeOps, clients.ServiceClients):
    def __init__(self, conf, db, transport, image_api=None, network_api=None,
                 volume_api=None):
        self.conf = conf
        self.db = db
        self.transport = transport
        self._image_api = image_api
        self._network_api = network_api
        self._volume_api = volume_api
        self.conductor = rpcapi.ConductorAPI(transport)
        self.worker = rpcapi.WorkerAPI(transport)

    # ---------------------------------------------------------------- reading
    def get(self, ctx, uuid, show_deleted=False):
        project = None if ctx.is_admin else ctx.project_id
        return instances_db.get(self.db, uuid, project, show_deleted)

    def list_(self, ctx, filters=None, sort_keys=None, sort_dirs=None, limit=None, marker=None,
              all_tenants=False):
        filters = dict(filters or {})
        if not (ctx.is_admin and all_tenants):
            filters['project_id'] = ctx.project_id
        for key in sort_keys or []:
            if key not in instances_db.SORT_KEYS:
                raise exc.BadRequest('Invalid sort key: %s' % validators.quote(key))
        return instances_db.list_instances(self.db, filters, sort_keys, sort_dirs, limit,
                                           marker)

    def list_actions(self, ctx, server):
        return instance_actions.list_actions(self.db, server['uuid'])

    def get_action(self, ctx, server, request_id):
        return instance_actions.get_action(self.db, server['uuid'], request_id)

    # ---------------------------------------------------------------- create
    def _flavor(self, ctx, flavor_ref):
        try:
            flavor = flavors_db.get_by_flavorid(self.db, flavor_ref, ctx)
        except exceptions.FlavorNotFound:
            raise exceptions.InvalidRequest('Flavor %s could not be found.'
                                            % validators.quote(flavor_ref)) from None
        if flavor.get('disabled'):
            raise exceptions.InvalidRequest('Flavor %s is disabled.' % flavor['flavorid'])
        return flavor

    def _image(self, ctx, image_ref, flavor, local_root=True):
        try:
            image = self.image_api.get(image_ref, None if ctx.is_admin else ctx.project_id)
        except clients.NotFound:
            raise exceptions.InvalidRequest('Image %s could not be found.'
                                            % validators.quote(image_ref)) from None
        if image.get('status') != 'active':
            raise exceptions.InvalidRequest('Image %s is not active.' % image['id'])
        if (image.get('min_ram') or 0) > flavor['memory_mb']:
            raise exceptions.InvalidRequest("Flavor's memory is too small for requested image.")
        root_bytes = flavor['root_gb'] * 1024 ** 3
        if local_root and flavor['root_gb'] and ((image.get('min_disk') or 0) > flavor['root_gb']
                                  or (image.get('size') or 0) > root_bytes):
            raise exceptions.InvalidRequest("Flavor's disk is too small for requested image.")
        return clients.image_meta(image)

    def _networks(self, ctx, requested, count):
        """[{network_id, port_id, fixed_ip, tag}] after checking each is usable."""
        if requested in (None, 'auto'):
            nets = self.network_api.list_networks(ctx.project_id)
            if not nets:
                if requested == 'auto':
                    raise exceptions.InvalidRequest(
                        'Unable to automatically allocate a network for project %s'
                        % ctx.project_id)
                return []
            if len(nets) > 1:
                raise exc.Conflict('Multiple possible networks found, use a Network ID to be '
                                   'more specific.')
            return [{'network_id': nets[0]['id'], 'port_id': None, 'fixed_ip': None,
                     'tag': None}]
        if requested == 'none':
            return []
        project = None if ctx.is_admin else ctx.project_id
        result = []
        for entry in requested:
            port_id, net_id = entry.get('port'), entry.get('uuid')
            fixed_ip = entry.get('fixed_ip')
            if fixed_ip is not None:
                try:
                    fixed_ip = str(validators.ip_address(fixed_ip))
                except validators.InvalidValue:
                    raise exceptions.InvalidRequest('Invalid fixed IP address (%s)'
                                                    % validators.quote(fixed_ip)) from None
            if port_id:
                if count > 1:
                    raise exceptions.InvalidRequest('Unable to launch multiple instances with '
                                                    'a single configured port ID. Please '
                                                    'launch your instance one by one with '
                                                    'different ports.')
                try:
                    port = self.network_api.get_port(port_id, project)
                except clients.NotFound:
                    raise exceptions.InvalidRequest('Port %s could not be found.'
                                                    % validators.quote(port_id)) from None
                if port.get('device_id'):
                    raise exceptions.PortInUse(port_id)
                net_id = port['network_id']
            else:
                try:
                    self.network_api.get_network(net_id, project)
                except clients.NotFound:
                    raise exceptions.InvalidRequest('Network %s could not be found.'
                                                    % validators.quote(net_id)) from None
            if fixed_ip is not None and count > 1:
                raise exceptions.InvalidRequest('max_count cannot be greater than 1 if an '
                                                'fixed_ip is specified.')
            result.append({'network_id': net_id, 'port_id': port_id, 'fixed_ip': fixed_ip,
                           'tag': entry.get('tag')})
        return result

    def _availability_zone(self, ctx, value):
        """(zone, forced host, forced node) of an ``availability_zone`` value."""
        if not value:
            return None, None, None
        zone, _, rest = value.partition(':')
        host, _, node = rest.partition(':')
        if (host or node) and not ctx.is_admin:
            raise exc.Forbidden('Only an administrator may name a host in the availability '
                                'zone.')
        zones = {n.availability_zone for n in self._nodes()} | {
            self.conf.compute.default_availability_zone}
        if zone and zone not in zones:
            raise exceptions.InvalidRequest('The requested availability zone is not available')
        return zone or None, host or None, node or None

    def _nodes(self):
        with self.db.session() as sess:
            return list(sess.query(models.ComputeNode).all())

    def _check_quota(self, ctx, count_min, count_max, flavor, metadata):
        limits = quotas_db.get_limits(self.db, ctx.project_id, ctx.user_id)
        if limits.get('metadata_items', -1) >= 0 and len(metadata) > limits['metadata_items']:
            raise exceptions.QuotaExceeded('metadata_items', len(metadata), 0,
                                           limits['metadata_items'])
        used = instances_db.count_usage(self.db, ctx.project_id)
        per_server = {'instances': 1, 'cores': flavor['vcpus'], 'ram': flavor['memory_mb']}
        allowed = count_max
        for resource, each in per_server.items():
            limit = limits.get(resource, -1)
            if limit < 0 or each == 0:
                continue
            fits = (limit - used[resource]) // each
            if fits < count_min:
                raise exceptions.QuotaExceeded(resource, each * count_min, used[resource],
                                               limit)
            allowed = min(allowed, fits)
        return allowed

    def create_servers(self, ctx, req):
        count_min = int(req.get('min_count') or 1)
        count_max = int(req.get('max_count') or count_min)
        if count_min > count_max:
            raise exceptions.InvalidRequest('min_count must be <= max_count')
        if count_max > self.conf.compute.max_servers_per_request:
            raise exceptions.InvalidRequest('max_count may be at most %d'
                                            % self.conf.compute.max_servers_per_request)
        flavor = self._flavor(ctx, req['flavor_ref'])
        image_ref, image_meta, bdm_rows = self.check_block_devices(
            ctx, list(req.get('block_device_mapping') or []), req.get('image_ref') or None,
            count_max, flavor)
        if image_meta is None:
            if not image_ref:
                raise exceptions.InvalidRequest('Missing imageRef attribute')
            image_meta = self._image(ctx, image_ref, flavor)
        key_name, key_data = req.get('key_name'), None
        if key_name:
            try:
                key_data = keypairs_db.get(self.db, ctx.user_id, key_name)['public_key']
            except exceptions.KeypairNotFound:
                raise exceptions.InvalidRequest('Invalid key_name provided.') from None
        user_data = req.get('user_data')
        if user_data is not None:
            try:
                base64.b64decode(user_data, validate=True)
            except (binascii.Error, ValueError):
                raise exceptions.InvalidRequest('Userdata content cannot be decoded') from None
        zone, force_host, force_node = self._availability_zone(ctx, req.get('availability_zone'))
        hints = dict(req.get('scheduler_hints') or {})
        group = None
        if hints.get('group'):
            try:
                group = groups_db.get(self.db, hints['group'], ctx)
            except exceptions.ServerGroupNotFound:
                raise exceptions.InvalidRequest('Invalid server group %s'
                                                % validators.quote(hints['group'])) from None
        networks = self._networks(ctx, req.get('networks'), count_max)
        sg_names = list(req.get('security_groups') or ['default'])
        sg_ids = []
        if networks:
            try:
                sg_ids = self.network_api.security_group_ids(ctx.project_id, sg_names)
            except clients.NotFound as error:
                raise exceptions.InvalidRequest('Unable to find %s' % error) from None
        metadata = dict(req.get('metadata') or {})
        count = self._check_quota(ctx, count_min, count_max, flavor, metadata)
        if group is not None:
            limit = quotas_db.get_limits(self.db, ctx.project_id).get(
                'server_group_members', -1)
            if limit >= 0 and len(group['members']) + count > limit:
                raise exceptions.QuotaExceeded('server_group_members', count,
                                               len(group['members']), limit)
        tags = list(dict.fromkeys(req.get('tags') or []))
        if len(tags) > MAX_TAGS:
            raise exceptions.InvalidRequest('The number of tags exceeded the per-server limit '
                                            '%d' % MAX_TAGS)

        reservation_id = 'r-' + secrets.token_hex(4)
        snapshot = flavor_snapshot(flavor)
        name = req.get('name') or ''
        servers = []
        with self.db.session() as sess:
            for index in range(count):
                display = name if count == 1 else '%s-%d' % (name, index + 1)
                uuid = str(uuid_mod.uuid4())
                values = dict(
                    uuid=uuid, project_id=ctx.project_id, user_id=ctx.user_id,
                    display_name=display, display_description=req.get('description'),
                    hostname=sanitize_hostname(req.get('hostname') or display),
                    requested_availability_zone=zone,
                    availability_zone=zone or self.conf.compute.default_availability_zone,
                    vm_state=states.BUILDING, task_state=states.SCHEDULING, power_state=0,
                    image_ref=image_ref, image_meta=image_meta, flavor_id=flavor['flavorid'],
                    flavor=snapshot, key_name=key_name, key_data=key_data,
                    user_data=user_data, config_drive=bool(req.get('config_drive')),
                    access_ip_v4=req.get('access_ip_v4'), access_ip_v6=req.get('access_ip_v6'),
                    launch_index=index, reservation_id=reservation_id, metadata_=metadata,
                    system_metadata={'image_base_image_ref': image_ref, 'request_spec': {
                        'networks': networks, 'security_group_ids': sg_ids,
                        'scheduler_hints': hints}},
                    security_groups=sg_names, requested_networks=req.get('networks'),
                    scheduler_hints=hints, **_flavor_columns(snapshot))
                row = instances_db.create(sess, values, tags)
                for bdm in bdm_rows:
                    bdms_db.create(sess, uuid, bdm)
                sess.add(models.InstanceAction(instance_uuid=uuid, action='create',
                                               request_id=ctx.request_id, user_id=ctx.user_id,
                                               project_id=ctx.project_id))
                if group is not None:
                    groups_db.add_member(sess, group['uuid'], uuid)
                sess.flush()
                servers.append(instances_db.to_dict(row, sess))
        request_spec = {
            'flavor': snapshot, 'image': image_meta, 'networks': networks,
            'security_group_ids': sg_ids, 'availability_zone': zone,
            'force_host': force_host, 'force_node': force_node,
            'group': None if group is None else {'uuid': group['uuid'],
                                                 'policy': group['policy'],
                                                 'rules': group.get('rules') or {}},
            'num_instances': count, 'scheduler_hints': hints, 'project_id': ctx.project_id,
        }
        self.conductor.build_instances(ctx, [s['uuid'] for s in servers], request_spec)
        return reservation_id, servers

    # ---------------------------------------------------------------- update
    def update(self, ctx, server, values):
        allowed = ('display_name', 'display_description', 'hostname', 'access_ip_v4',
                   'access_ip_v6')
        values = {k: v for k, v in values.items() if k in allowed}
        if 'hostname' in values:
            values['hostname'] = sanitize_hostname(values['hostname'])
        return instances_db.update(self.db, server['uuid'], values)

    def set_security_groups(self, ctx, server, names):
        """Record the server's security group names (shown by server show) after the
        network service's ports changed (addSecurityGroup / removeSecurityGroup)."""
        return instances_db.update(self.db, server['uuid'], {'security_groups': list(names)})

    def update_metadata(self, ctx, server, metadata, replace=False):
        self._check_locked(ctx, server)
        current = {} if replace else dict(server.get('metadata') or {})
        current.update(metadata)
        limit = quotas_db.get_limits(self.db, server['project_id']).get('metadata_items', -1)
        if 0 <= limit < len(current):
            raise exceptions.QuotaExceeded('metadata_items', len(metadata),
                                           len(server.get('metadata') or {}), limit)
        instances_db.update(self.db, server['uuid'], {'metadata_': current})
        return current

    def delete_metadata_item(self, ctx, server, key):
        self._check_locked(ctx, server)
        current = dict(server.get('metadata') or {})
        if key not in current:
            raise exc.NotFound('Metadata item was not found')
        del current[key]
        instances_db.update(self.db, server['uuid'], {'metadata_': current})

    def set_tags(self, ctx, server, tags):
        tags = list(dict.fromkeys(tags))
        if len(tags) > MAX_TAGS:
            raise exc.BadRequest('The number of tags exceeded the per-server limit %d'
                                 % MAX_TAGS)
        return instances_db.set_tags(self.db, server['uuid'], tags)

    def add_tag(self, ctx, server, tag):
        tags = list(server.get('tags') or [])
        if tag not in tags:
            tags.append(tag)
        return self.set_tags(ctx, server, tags)

    def delete_tag(self, ctx, server, tag):
        tags = list(server.get('tags') or [])
        if tag not in tags:
            raise exc.NotFound('Tag %s could not be found.' % validators.quote(tag))
        tags.remove(tag)
        return self.set_tags(ctx, server, tags)

    def delete_all_tags(self, ctx, server):
        return self.set_tags(ctx, server, [])

    # ---------------------------------------------------------------- delete
    def _check_locked(self, ctx, server):
        if server.get('locked') and not ctx.is_admin:
            raise exceptions.InstanceLocked(server['uuid'])

    def _worker_up(self, host):
        if not host:
            return False
        for svc in services_db.list_(self.db, self.conf.service_down_time,
                                     binary=WORKER_BINARY, host=host):
            return svc['alive']
        return False

    def delete(self, ctx, server):
        self._check_locked(ctx, server)
        if server['task_state'] == states.DELETING and self._worker_up(server['host']):
            return
        instance_actions.start(self.db, ctx, server['uuid'], 'delete')
        # Mark first, then decide on the row as it is now: the conductor hands a build to
        # a worker only while task_state is still 'scheduling', so after this update
        # either a host already has the server (its worker deletes it, after the build
        # step it is in) or none ever will (deleted here).
        instances_db.update(self.db, server['uuid'], {'task_state': states.DELETING})
        server = instances_db.get(self.db, server['uuid'], show_deleted=True)
        if server['deleted']:
            return
        if server['vm_state'] in (states.SHELVED, states.SHELVED_OFFLOADED):
            self._delete_shelved_image(server)
        if self._worker_up(server['host']):
            self.worker.terminate_instance(ctx, server)
            return
        self._local_delete(ctx, server)

    force_delete = delete

    def _delete_shelved_image(self, server):
        """A shelved server's snapshot goes with it (as Nova deletes it)."""
        image_id = (server.get('system_metadata') or {}).get('shelved_image_id')
        if not image_id:
            return
        try:
            self.image_api.delete(image_id)
        except Exception:  # noqa: B902 - the server goes anyway; the image is logged
            LOG.exception('could not delete image %s of shelved server %s', image_id,
                          server['uuid'])

    def _local_delete(self, ctx, server):
        """Delete a server no worker holds (never scheduled, or its host is down): its
        ports, its volumes, its claims and its row; a down host's worker removes the
        domain when it comes back (orphan cleanup).  A volume block storage would not
        release leaves the server ERROR with that fault (deleting it again retries)."""
        errors = self.release_volumes(ctx, server)
        if errors:
            message = 'Could not release the server\'s volumes: %s' % '; '.join(errors)
            instances_db.add_fault(self.db, server['uuid'], 500, message)
            instances_db.update(self.db, server['uuid'], {'vm_state': states.ERROR,
                                                          'task_state': None})
            return
        for vif in server.get('network_info') or []:
            try:
                if vif.get('created_by_compute'):
                    self.network_api.delete_port(vif['port_id'])
                else:
                    self.network_api.update_port(vif['port_id'], {
                        'device_id': '', 'device_owner': '', 'binding:host_id': ''})
            except Exception:  # noqa: B902 - the row goes anyway; the port is logged
                LOG.exception('could not release port %s of %s', vif.get('port_id'),
                              server['uuid'])
        claims.release(self.db, server['uuid'])
        groups_db.remove_member(self.db, server['uuid'])
        instances_db.soft_delete(self.db, server['uuid'])

    # ---------------------------------------------------------------- actions
    _SIMPLE = {
        # action: (state check, task_state set, worker method)
        'stop': ('stop', states.POWERING_OFF, 'stop_instance'),
        'start': ('start', states.POWERING_ON, 'start_instance'),
        'pause': ('pause', states.PAUSING, 'pause_instance'),
        'unpause': ('unpause', states.UNPAUSING, 'unpause_instance'),
        'suspend': ('suspend', states.SUSPENDING, 'suspend_instance'),
        'resume': ('resume', states.RESUMING, 'resume_instance'),
        'unrescue': ('unrescue', states.UNRESCUING, 'unrescue_instance'),
        'confirm_resize': ('confirm_resize', states.RESIZE_CONFIRMING, 'confirm_resize'),
        'revert_resize': ('revert_resize', states.RESIZE_REVERTING, 'revert_resize'),
    }

    def action(self, ctx, server, name, /, **kwargs):
        if name == 'lock':
            instances_db.update(self.db, server['uuid'], {
                'locked': True, 'locked_by': 'admin' if ctx.is_admin else 'owner',
                'locked_reason': kwargs.get('reason')})
            instance_actions.start(self.db, ctx, server['uuid'], 'lock')
            return None
        if name == 'unlock':
            if server.get('locked_by') == 'admin' and not ctx.is_admin:
                raise exc.Forbidden('Server was locked by an administrator.')
            instances_db.update(self.db, server['uuid'], {
                'locked': False, 'locked_by': None, 'locked_reason': None})
            instance_actions.start(self.db, ctx, server['uuid'], 'unlock')
            return None
        if name == 'reset_state':
            return self._reset_state(ctx, server, kwargs['state'])
        self._check_locked(ctx, server)
        self.check_volume_support(server, name)
        if name in self._SIMPLE:
            check, task, method = self._SIMPLE[name]
            return self._cast_action(ctx, server, check, name, task, method)
        handler = getattr(self, '_action_' + name, None)
        if handler is None:
            raise exc.BadRequest('Unknown action %s' % validators.quote(name))
        return handler(ctx, server, **kwargs)

    def _reset_state(self, ctx, server, state):
        """An admin's way out of a stuck task: vm_state becomes ``state`` (active or
        error) and the task is forgotten; the guest itself is not touched (as in Nova)."""
        instances_db.update(self.db, server['uuid'], {
            'vm_state': states.ERROR if state == 'error' else states.ACTIVE,
            'task_state': None})
        instance_actions.start(self.db, ctx, server['uuid'], 'resetState')
        return None

    def _begin(self, ctx, server, check, action_name, task_state, extra=None):
        """State check + compare-and-swap of task_state + instance action record."""
        states.check(check, server)
        vm_states, task_states = states.ALLOWED[check]
        values = {'task_state': task_state}
        values.update(extra or {})
        try:
            server = instances_db.update(self.db, server['uuid'], values,
                                         expected_task_state=tuple(task_states or (None,)),
                                         expected_vm_state=vm_states, check_task=True)
        except exceptions.UnexpectedTaskState as error:
            raise exceptions.InstanceInvalidState(server['uuid'], check, 'task_state',
                                                  error.actual) from None
        instance_actions.start(self.db, ctx, server['uuid'], action_name)
        return server

    def _cast_action(self, ctx, server, check, action_name, task_state, method, **kwargs):
        server = self._begin(ctx, server, check, action_name, task_state)
        self.worker.simple_action(ctx, server, method, **kwargs)
        return None

    def _action_reboot(self, ctx, server, type='SOFT'):
        kind = (type or 'SOFT').upper()
        if kind not in ('SOFT', 'HARD'):
            raise exc.BadRequest('Argument \'type\' for reboot must be a string with value '
                                 '"SOFT" or "HARD".')
        if kind == 'SOFT':
            return self._cast_action(ctx, server, 'reboot_soft', 'reboot', states.REBOOTING,
                                     'reboot_instance', reboot_type='SOFT')
        return self._cast_action(ctx, server, 'reboot_hard', 'reboot', states.REBOOTING_HARD,
                                 'reboot_instance', reboot_type='HARD')

    def _action_rescue(self, ctx, server, rescue_image_ref=None, admin_pass=None):
        rescue_meta = None
        if rescue_image_ref:
            flavor = dict(server['flavor'], flavorid=server['flavor']['id'])
            rescue_meta = self._image(ctx, rescue_image_ref, flavor)
        admin_pass = admin_pass or secrets.token_urlsafe(9)
        self._cast_action(ctx, server, 'rescue', 'rescue', states.RESCUING, 'rescue_instance',
                          rescue_image_meta=rescue_meta)
        return {'adminPass': admin_pass}

    def _action_rebuild(self, ctx, server, image_ref, name=None, metadata=None,
                        preserve_ephemeral=False, **optional):
        flavor = dict(server['flavor'], flavorid=server['flavor']['id'],
                      swap=server['flavor'].get('swap_mb', 0))
        image_meta = self._image(ctx, image_ref, flavor)
        extra = {'image_ref': image_ref, 'image_meta': image_meta}
        if name is not None:
            extra['display_name'] = name
        if metadata is not None:
            extra['metadata_'] = metadata
        for key, column in (('description', 'display_description'),
                            ('access_ip_v4', 'access_ip_v4'), ('access_ip_v6', 'access_ip_v6'),
                            ('user_data', 'user_data')):
            if key in optional:
                extra[column] = optional[key]
        if 'key_name' in optional:
            key_name = optional['key_name']
            extra['key_name'] = key_name
            extra['key_data'] = None
            if key_name:
                try:
                    extra['key_data'] = keypairs_db.get(self.db, ctx.user_id,
                                                        key_name)['public_key']
                except exceptions.KeypairNotFound:
                    raise exceptions.InvalidRequest('Invalid key_name provided.') from None
        server = self._begin(ctx, server, 'rebuild', 'rebuild', states.REBUILDING, extra)
        self.worker.simple_action(ctx, server, 'rebuild_instance', image_meta=image_meta,
                                  preserve_ephemeral=bool(preserve_ephemeral))
        return server

    def _action_resize(self, ctx, server, flavor_ref):
        new = self._flavor(ctx, flavor_ref)
        old = server['flavor']
        if new['flavorid'] == old['id']:
            raise exceptions.InvalidRequest('When resizing, instances must change flavor!')
        if new['root_gb'] < old['root_gb'] or new['ephemeral_gb'] < old['ephemeral_gb']:
            raise exceptions.InvalidRequest('Resize to zero disk flavor is not allowed.'
                                            if new['root_gb'] == 0 else
                                            'Unable to resize disk down.')
        limits = quotas_db.get_limits(self.db, server['project_id'], None)
        used = instances_db.count_usage(self.db, server['project_id'])
        for resource, delta in (('cores', new['vcpus'] - old['vcpus']),
                                ('ram', new['memory_mb'] - old['memory_mb'])):
            limit = limits.get(resource, -1)
            if delta > 0 and 0 <= limit < used[resource] + delta:
                raise exceptions.QuotaExceeded(resource, delta, used[resource], limit)
        snapshot = flavor_snapshot(new)
        server = self._begin(ctx, server, 'resize', 'resize', states.RESIZE_PREP,
                             {'new_flavor': snapshot})
        migration = {'uuid': str(uuid_mod.uuid4()), 'instance_uuid': server['uuid'],
                     'migration_type': 'resize', 'source_compute': server['host'],
                     'source_node': server['node'], 'dest_compute': server['host'],
                     'dest_node': server['node'], 'old_flavor_id': old['id'],
                     'new_flavor_id': new['flavorid'], 'status': 'pre-migrating',
                     'project_id': server['project_id'], 'user_id': server['user_id']}
        with self.db.session() as sess:
            sess.add(models.Migration(**migration))
        self.worker.simple_action(ctx, server, 'resize_instance', new_flavor=snapshot,
                                  migration=migration)
        return None

    def _action_create_image(self, ctx, server, name, metadata=None, extra=None,
                             action='createImage'):
        states.check('create_image', server)
        # The caller's metadata may name its own image_type (Nova keeps it).
        props = {'image_type': 'snapshot'}
        props.update(metadata or {})
        props.update({'instance_uuid': server['uuid'],
                      'base_image_ref': server.get('image_ref') or ''})
        props.update(extra or {})
        base = server.get('image_meta') or {}
        body = dict(props, name=name, disk_format='qcow2', container_format='bare',
                    visibility='private', min_ram=base.get('min_ram') or 0,
                    min_disk=max(base.get('min_disk') or 0, server['root_gb']))
        body['owner'] = server['project_id']
        try:
            image = self.image_api.create(body)
        except clients.client_mod.ClientError as error:
            raise exc.BadRequest('Cannot create the image: %s' % error.message) from None
        try:
            self._cast_action(ctx, server, 'create_image', action,
                              states.IMAGE_SNAPSHOT, 'snapshot_instance', image_id=image['id'])
        except Exception:
            self.image_api.delete(image['id'])
            raise
        return {'image_id': image['id']}

    def _action_create_backup(self, ctx, server, name, backup_type, rotation, metadata=None):
        """A snapshot marked as a backup of ``backup_type``; of this server's backups of
        that type only the newest ``rotation`` are kept (0: none, and none is made)."""
        states.check('create_image', server)
        made = None
        if rotation > 0:
            made = self._action_create_image(
                ctx, server, name, metadata, action='createBackup',
                extra={'image_type': 'backup', 'backup_type': backup_type})
        backups = self.image_api.list_({'instance_uuid': server['uuid'],
                                        'image_type': 'backup', 'backup_type': backup_type,
                                        'sort': 'created_at:desc'})
        for image in backups[rotation:]:
            LOG.info('rotating out backup %s of server %s', image['id'], server['uuid'])
            self.image_api.delete(image['id'])
        return made

    def _action_restore(self, ctx, server):
        """Undo a soft delete. Deletes here are immediate (no reclaim interval), so a
        server can never be in SOFT_DELETED and this is Nova's 409 for any other state."""
        states.check('restore', server)
        return None

    def _action_shelve(self, ctx, server):
        states.check('shelve', server)
        name = '%s-shelved' % (server['display_name'] or server['uuid'])
        base = server.get('image_meta') or {}
        image = self.image_api.create({
            'name': name, 'disk_format': 'qcow2', 'container_format': 'bare',
            'visibility': 'private', 'owner': server['project_id'],
            'instance_uuid': server['uuid'], 'image_type': 'snapshot',
            'min_ram': base.get('min_ram') or 0})
        sysmeta = dict(server.get('system_metadata') or {}, shelved_image_id=image['id'])
        try:
            server = self._begin(ctx, server, 'shelve', 'shelve', states.SHELVING,
                                 {'system_metadata': sysmeta})
        except Exception:
            self.image_api.delete(image['id'])
            raise
        self.worker.simple_action(ctx, server, 'shelve_instance', image_id=image['id'])
        return None

    def _action_shelve_offload(self, ctx, server):
        return self._cast_action(ctx, server, 'shelve_offload', 'shelveOffload',
                                 states.SHELVING_OFFLOADING, 'shelve_offload_instance')

    def _action_unshelve(self, ctx, server, availability_zone=None):
        zone = server.get('requested_availability_zone')
        if availability_zone:
            zone, _, _ = self._availability_zone(ctx, availability_zone)
        server = self._begin(ctx, server, 'unshelve', 'unshelve', states.UNSHELVING,
                             {'requested_availability_zone': zone})
        if server['vm_state'] == states.SHELVED and server.get('host'):
            self.worker.simple_action(ctx, server, 'unshelve_instance')
            return None
        image_id = (server.get('system_metadata') or {}).get('shelved_image_id')
        spec = {'flavor': server['flavor'], 'image': server.get('image_meta') or {},
                'availability_zone': zone, 'project_id': server['project_id'],
                'num_instances': 1, 'group': None, 'force_host': None, 'force_node': None,
                'shelved_image_id': image_id}
        self.conductor.unshelve_instance(ctx, server['uuid'], spec)
        return None

    # ---------------------------------------------------------------- consoles, NICs
    def get_console_output(self, ctx, server, length=None):
        states.check('console', server)
        if not server.get('host'):
            raise exceptions.InstanceNotReady(server['uuid'])
        text = self.worker.get_console_output(ctx, server)
        if length is not None:
            lines = text.splitlines(True)
            text = ''.join(lines[-int(length):]) if int(length) > 0 else ''
        return text

    def get_diagnostics(self, ctx, server):
        """The guest's figures from its worker's driver; the server must be running."""
        if server['vm_state'] != states.ACTIVE or not server.get('host'):
            raise exceptions.InstanceInvalidState(server['uuid'], 'get_diagnostics',
                                                  'vm_state', server['vm_state'])
        data = self.worker.get_diagnostics(ctx, server)
        if data.get('uptime') is None and server.get('launched_at'):
            data['uptime'] = int((types.utcnow() - server['launched_at']).total_seconds())
        return data

    def get_vnc_console(self, ctx, server):
        states.check('console', server)
        if server['vm_state'] not in (states.ACTIVE, states.PAUSED, states.RESCUED):
            raise exceptions.InstanceNotReady(server['uuid'])
        return self.worker.get_vnc_console(ctx, server)

    def attach_interface(self, ctx, server, port_id=None, net_id=None, fixed_ip=None,
                         tag=None):
        self._check_locked(ctx, server)
        states.check('attach_interface', server)
        project = None if ctx.is_admin else ctx.project_id
        try:
            if port_id:
                port = self.network_api.get_port(port_id, project)
                if port.get('device_id'):
                    raise exceptions.PortInUse(port_id)
            elif net_id:
                self.network_api.get_network(net_id, project)
            else:
                # Neither: the one network the project can use, as at boot with 'auto'.
                nets = self.network_api.list_networks(ctx.project_id)
                if not nets:
                    raise exceptions.InvalidRequest(
                        'No specific network was requested and none are available for '
                        'project %s.' % ctx.project_id)
                if len(nets) > 1:
                    raise exc.Conflict('Multiple possible networks found, use a Network ID '
                                       'to be more specific.')
                net_id = nets[0]['id']
        except clients.NotFound as error:
            raise exc.NotFound('%s could not be found.' % error) from None
        instance_actions.start(self.db, ctx, server['uuid'], 'attach_interface')
        return self.worker.attach_interface(ctx, server, port_id, net_id, fixed_ip, tag=tag)

    def detach_interface(self, ctx, server, port_id):
        self._check_locked(ctx, server)
        states.check('detach_interface', server)
        if port_id not in [v['port_id'] for v in server.get('network_info') or []]:
            raise exc.NotFound('Port %s is not attached' % validators.quote(port_id))
        instance_actions.start(self.db, ctx, server['uuid'], 'detach_interface')
        self.worker.detach_interface(ctx, server, port_id)

    # ---------------------------------------------------------------- external events
    def external_events(self, ctx, events):
        """Hand each event to the worker of its server; per-event codes as Nova gives."""
        result = []
        for event in events:
            item = dict(event)
            item.setdefault('status', 'completed')
            try:
                server = instances_db.get(self.db, event['server_uuid'])
            except exceptions.InstanceNotFound:
                item['code'] = 404
                item['status'] = 'failed'
                result.append(item)
                continue
            if not server.get('host'):
                item['code'] = 422
                item['status'] = 'failed'
                result.append(item)
                continue
            self.worker.external_instance_event(ctx, server, {
                'name': event['name'], 'tag': event.get('tag'),
                'status': item['status']})
            item['code'] = 200
            result.append(item)
        return result


def now():
    return types.utcnow()
