"""Servers: create, list/detail, show, update, delete, and actions (through the engine)."""
import secrets

from common import exceptions
from common import validation
from common import validators
from compute.api import base
from compute.api import consoles
from compute.api import floating_ips
from compute.api import schemas
from compute.api import security_groups
from compute.api import server_parts
from compute.api import server_view
from compute.db import server_groups as server_groups_db

MAX_LIMIT = 1000
# Filters every caller may use; admins (servers:allow_all_filters) may use ADMIN_FILTERS too.
USER_FILTERS = ('name', 'status', 'image', 'flavor', 'ip', 'ip6', 'reservation_id',
                'tags', 'tags-any', 'not-tags', 'not-tags-any', 'locked', 'availability_zone',
                'key_name', 'hostname', 'uuid')
ADMIN_FILTERS = ('host', 'node', 'user_id', 'project_id', 'tenant_id', 'deleted',
                 'vm_state', 'task_state', 'power_state', 'launch_index')
# Action key -> (policy rule, engine action name).
ACTIONS = {
    'reboot': ('servers:reboot', 'reboot'),
    'os-start': ('servers:start', 'start'), 'os-stop': ('servers:stop', 'stop'),
    'pause': ('os-pause-server:pause', 'pause'),
    'unpause': ('os-pause-server:unpause', 'unpause'),
    'suspend': ('os-suspend-server:suspend', 'suspend'),
    'resume': ('os-suspend-server:resume', 'resume'),
    'lock': ('os-lock-server:lock', 'lock'), 'unlock': ('os-lock-server:unlock', 'unlock'),
    'rescue': ('os-rescue', 'rescue'), 'unrescue': ('os-unrescue', 'unrescue'),
    'rebuild': ('servers:rebuild', 'rebuild'), 'resize': ('servers:resize', 'resize'),
    'confirmResize': ('servers:confirm_resize', 'confirm_resize'),
    'revertResize': ('servers:revert_resize', 'revert_resize'),
    'createImage': ('servers:create_image', 'create_image'),
    'createBackup': ('os-create-backup', 'create_backup'),
    'restore': ('os-deferred-delete:restore', 'restore'),
    'shelve': ('os-shelve:shelve', 'shelve'),
    'shelveOffload': ('os-shelve:shelve_offload', 'shelve_offload'),
    'unshelve': ('os-shelve:unshelve', 'unshelve'),
    'os-getConsoleOutput': ('os-console-output', None),
    'forceDelete': ('servers:delete', None),
    'os-resetState': ('os-admin-actions:reset_state', 'reset_state'),
    'os-getVNCConsole': ('os-remote-consoles', None),
}

# Actions of the network proxies (up to 2.35) -> their controller.
PROXY_ACTIONS = {'addSecurityGroup': security_groups.SecurityGroups,
                 'removeSecurityGroup': security_groups.SecurityGroups,
                 'addFloatingIp': floating_ips.FloatingIps,
                 'removeFloatingIp': floating_ips.FloatingIps}


class Servers(base.Controller):
    # helpers -------------------------------------------------------------------
    def server(self, req, id, rule=None):
        """The server ``id`` as the caller may see it (404 otherwise), policy-checked."""
        server = self.engine.get(base.context(req), id)
        if rule:
            self.authorize(req, rule, {'project_id': server['project_id'],
                                       'user_id': server['user_id']})
        return server

    def _one(self, req, server, extended=True):
        """One server as show, update and rebuild answer it: from 2.71 with the server
        groups it is a member of (lists leave them out, as in Nova)."""
        out = server_view.detail(self, req, server, extended=extended)
        if base.at_least(req, '2.71'):
            out['server_groups'] = server_groups_db.groups_of(self.db, server['uuid'])
        return out

    # list ----------------------------------------------------------------------
    def _filters(self, req, all_filters):
        filters = {}
        allowed = USER_FILTERS + (ADMIN_FILTERS if all_filters else ())
        for key in allowed:
            values = req.GET.getall(key)
            if not values:
                continue
            value = values if key == 'status' and len(values) > 1 else values[-1]
            if key == 'tenant_id':
                key = 'project_id'
            if key in ('locked', 'deleted'):
                value = base.bool_param(req, key)
            elif key == 'status':
                value = [v.upper() for v in (value if isinstance(value, list) else [value])]
            elif key in ('power_state', 'launch_index'):
                value = base.int_param(req, key, minimum=0)
            filters[key] = value
        for key in ('changes-since', 'changes-before'):
            if key in req.GET:
                filters[key] = base.parse_time(req, key)
        if 'changes-since' in filters and 'changes-before' in filters and \
                filters['changes-since'] > filters['changes-before']:
            raise exceptions.BadRequest('The value of changes-since must be less than or '
                                        'equal to changes-before.')
        return filters

    def _list(self, req, detail):
        ctx = self.authorize(req, 'servers:detail' if detail else 'servers:index')
        all_tenants = False
        if 'all_tenants' in req.GET:
            raw = req.GET.get('all_tenants')
            all_tenants = raw == '' or base.bool_param(req, 'all_tenants')
            if all_tenants:
                self.authorize(req, 'servers:detail:get_all_tenants' if detail
                               else 'servers:index:get_all_tenants')
        all_filters = self.allowed(req, 'servers:allow_all_filters')
        filters = self._filters(req, all_filters)
        if not all_tenants:
            # As Nova: a project filter counts only with all_tenants; without it the list
            # is the caller's own project's.
            filters.pop('project_id', None)
        sort_keys = req.GET.getall('sort_key')
        sort_dirs = req.GET.getall('sort_dir')
        for direction in sort_dirs:
            if direction not in ('asc', 'desc'):
                raise exceptions.BadRequest('Invalid sort direction %s.'
                                            % validators.quote(direction))
        if sort_keys and len(sort_dirs) < len(sort_keys):
            sort_dirs += [sort_dirs[-1] if sort_dirs else 'desc'] * (
                len(sort_keys) - len(sort_dirs))
        limit, marker = base.limit_marker(req, MAX_LIMIT)
        if limit is None:
            limit = MAX_LIMIT
        found = self.engine.list_(ctx, filters, sort_keys or None, sort_dirs or None, limit,
                                  marker, all_tenants=all_tenants)
        view = server_view.detail if detail else server_view.basic
        items = [view(self, req, s) for s in found]
        shown_limit = limit if 'limit' in req.GET or len(items) >= MAX_LIMIT else None
        return self.page(req, 'servers', 'servers/detail' if detail else 'servers', items,
                         shown_limit)

    def index(self, req):
        return self._list(req, False)

    def detail(self, req):
        return self._list(req, True)

    def show(self, req, id):
        server = self.server(req, id, 'servers:show')
        return {'server': self._one(req, server)}

    # create --------------------------------------------------------------------
    def create(self, req):
        ctx = self.authorize(req, 'servers:create')
        version = base.version(req)
        data = base.body(req, schemas.server_create(version))
        spec = data['server']
        hints = data.get('os:scheduler_hints') or data.get('OS-SCH-HNT:scheduler_hints') or {}
        networks = spec.get('networks')
        if isinstance(networks, str) and networks not in ('auto', 'none'):
            raise exceptions.BadRequest("Invalid input for field 'server/networks': %s is "
                                        "not 'auto', 'none' or a list of networks."
                                        % validators.quote(networks))
        if isinstance(networks, list) and not networks and version < (2, 37):
            networks = None   # before 2.37 an empty list meant "whatever is available"
        for net in networks if isinstance(networks, list) else []:
            if not net.get('uuid') and not net.get('port'):
                raise exceptions.BadRequest("Invalid input for field 'networks': each needs "
                                            "a 'uuid' or a 'port'.")
        if networks and networks != 'none':
            self.authorize(req, 'servers:create:attach_network')
        zone = spec.get('availability_zone')
        if spec.get('host') or spec.get('hypervisor_hostname'):
            self.authorize(req, 'servers:create:requested_destination')
            zone = '%s:%s:%s' % (zone or '', spec.get('host') or '',
                                 spec.get('hypervisor_hostname') or '')
        elif zone and ':' in zone:
            self.authorize(req, 'servers:create:forced_host')
        min_count = int(spec.get('min_count', 1))
        max_count = int(spec.get('max_count', min_count))
        if min_count < 1 or max_count < 1:
            raise exceptions.BadRequest("Invalid input for field 'min_count'/'max_count': "
                                        "must be at least 1.")
        if min_count > max_count:
            raise exceptions.BadRequest('min_count must be <= max_count')
        image_ref = spec.get('imageRef', '')
        if image_ref:
            image_ref = image_ref.rsplit('/', 1)[-1]   # an image link is accepted too
            try:
                image_ref = validators.uuid(image_ref)
            except validators.InvalidValue:
                raise exceptions.BadRequest('Invalid imageRef provided.')
        flavor_ref = str(spec['flavorRef']).rsplit('/', 1)[-1]
        request = {
            'name': spec['name'], 'description': spec.get('description'),
            'image_ref': image_ref, 'flavor_ref': flavor_ref, 'networks': networks,
            'key_name': spec.get('key_name'), 'user_data': spec.get('user_data'),
            'metadata': spec.get('metadata') or {},
            'security_groups': [g['name'] for g in spec.get('security_groups') or []] or None,
            'availability_zone': zone,
            'block_device_mapping': spec.get('block_device_mapping_v2') or [],
            'min_count': min_count, 'max_count': max_count,
            'return_reservation_id': schemas.truthy(spec.get('return_reservation_id',
                                                             False)),
            'config_drive': schemas.truthy(spec.get('config_drive', False)),
            'scheduler_hints': hints, 'access_ip_v4': spec.get('accessIPv4'),
            'access_ip_v6': spec.get('accessIPv6'), 'tags': spec.get('tags') or [],
            'hostname': spec.get('hostname'),
        }
        if spec.get('personality'):
            raise exceptions.BadRequest('Personality files are not supported; use user_data '
                                        'or a config drive.')
        reservation_id, servers = self.engine.create_servers(ctx, request)
        if request['return_reservation_id']:
            return base.accepted({'reservation_id': reservation_id})
        first = servers[0]
        out = {'id': first['uuid'], 'links': self.links(req, 'servers', first['uuid']),
               'OS-DCF:diskConfig': spec.get('OS-DCF:diskConfig', 'MANUAL'),
               'security_groups': [{'name': n} for n in first.get('security_groups') or
                                   ['default']]}
        # Nova answers with the password the guest's admin gets (generated when none was
        # asked for); the guest image takes its keys from the metadata service instead.
        out['adminPass'] = spec.get('adminPass') or secrets.token_urlsafe(9)
        return base.accepted({'server': out},
                             headers={'Location': self.url(req, 'servers', first['uuid'])})

    # update / delete -----------------------------------------------------------
    def update(self, req, id):
        version = base.version(req)
        data = base.body(req, schemas.server_update(version), 'server')
        server = self.server(req, id, 'servers:update')
        values = {}
        for key, column in (('name', 'display_name'), ('description', 'display_description'),
                            ('accessIPv4', 'access_ip_v4'), ('accessIPv6', 'access_ip_v6'),
                            ('hostname', 'hostname')):
            if key in data:
                values[column] = data[key]
        if values:
            server = self.engine.update(base.context(req), server, values)
            server = self.engine.get(base.context(req), id)
        return {'server': self._one(req, server, extended=False)}

    def delete(self, req, id):
        server = self.server(req, id, 'servers:delete')
        self.engine.delete(base.context(req), server)
        return None

    # actions -------------------------------------------------------------------
    def action(self, req, id):
        data = base.body(req)
        if len(data) != 1:
            raise exceptions.BadRequest('An action body has exactly one key, the action.')
        name, value = next(iter(data.items()))
        server = self.server(req, id)     # an unknown server is a 404 whatever the action
        if name in PROXY_ACTIONS:
            proxy_ctrl = PROXY_ACTIONS[name](self.state)
            return proxy_ctrl.server_action(req, server, name, value)
        schema = schemas.server_action(name, base.version(req))
        if schema is None or name not in ACTIONS:
            raise exceptions.BadRequest('There is no such action: %s' % validators.quote(name))
        validation.validate({'type': 'object', 'properties': {name: schema}}, data)
        rule, engine_name = ACTIONS[name]
        self.authorize(req, rule, {'project_id': server['project_id'],
                                   'user_id': server['user_id']})
        ctx = base.context(req)
        value = value or {}
        if name == 'os-getConsoleOutput':
            return self._console_output(ctx, server, value)
        if name == 'os-getVNCConsole':
            return consoles.Consoles(self.state).legacy_vnc(req, id, value)
        if name == 'forceDelete':
            self.engine.force_delete(ctx, server)
            return base.accepted()
        kwargs = self._action_kwargs(req, name, value)
        result = self.engine.action(ctx, server, engine_name, **kwargs)
        return self._action_answer(req, name, server, result, value)

    def _action_kwargs(self, req, name, value):
        if name == 'reboot':
            return {'type': value['type'].upper()}
        if name == 'lock':
            return {'reason': value.get('locked_reason')}
        if name == 'rescue':
            return {'rescue_image_ref': value.get('rescue_image_ref'),
                    'admin_pass': value.get('adminPass')}
        if name == 'resize':
            return {'flavor_ref': str(value['flavorRef']).rsplit('/', 1)[-1]}
        if name == 'createImage':
            return {'name': value['name'], 'metadata': value.get('metadata')}
        if name == 'createBackup':
            return {'name': value['name'], 'metadata': value.get('metadata'),
                    'backup_type': value['backup_type'], 'rotation': int(value['rotation'])}
        if name == 'unshelve':
            return {'availability_zone': value.get('availability_zone')} if value else {}
        if name == 'os-resetState':
            return {'state': value['state']}
        if name == 'rebuild':
            image_ref = value['imageRef'].rsplit('/', 1)[-1]
            try:
                image_ref = validators.uuid(image_ref)
            except validators.InvalidValue:
                raise exceptions.BadRequest('Invalid imageRef provided.')
            kwargs = {'image_ref': image_ref}
            for key, arg in (('name', 'name'), ('metadata', 'metadata'),
                             ('preserve_ephemeral', 'preserve_ephemeral'),
                             ('key_name', 'key_name'), ('user_data', 'user_data'),
                             ('description', 'description'), ('accessIPv4', 'access_ip_v4'),
                             ('accessIPv6', 'access_ip_v6'), ('hostname', 'hostname')):
                if key in value:
                    kwargs[arg] = value[key]
            if 'preserve_ephemeral' in kwargs:
                kwargs['preserve_ephemeral'] = schemas.truthy(kwargs['preserve_ephemeral'])
            return kwargs
        return {}

    def _action_answer(self, req, name, server, result, value):
        if name == 'rescue':
            return {'adminPass': (result or {}).get('adminPass', '')}
        if name == 'confirmResize':
            return None
        if name == 'rebuild':
            shown = result if isinstance(result, dict) and 'uuid' in result else \
                self.engine.get(base.context(req), server['uuid'])
            out = self._one(req, shown, extended=False)
            # As at create: the password the caller chose, or one made for it (Nova's
            # enable_instance_password).
            out['adminPass'] = value.get('adminPass') or secrets.token_urlsafe(9)
            if base.at_least(req, '2.57'):
                out['user_data'] = shown.get('user_data')
            return base.accepted({'server': out})
        if name == 'createBackup' and not (result or {}).get('image_id'):
            return base.accepted()          # rotation 0: old backups deleted, none made
        if name in ('createImage', 'createBackup'):
            image_id = (result or {}).get('image_id')
            location = self.url(req, 'images', image_id, bookmark=True)
            if base.at_least(req, '2.45'):
                return base.accepted({'image_id': image_id})
            return base.accepted(headers={'Location': location})
        return base.accepted()

    def _console_output(self, ctx, server, value):
        length = value.get('length')
        if length is not None:
            length = int(length)
            if length < -1:
                raise exceptions.BadRequest("Invalid input for field 'length': must be -1 or "
                                            "greater.")
            if length == -1:
                length = None
        return {'output': self.engine.get_console_output(ctx, server, length)}


def add_routes(add, state):
    srv = Servers(state)
    add('/servers', srv, {'GET': 'index', 'POST': 'create'})
    add('/servers/detail', srv, {'GET': 'detail'})
    add('/servers/{id}', srv, {'GET': 'show', 'PUT': 'update', 'DELETE': 'delete'})
    add('/servers/{id}/action', srv, {'POST': 'action'})
    add('/servers/{server_id}/remote-consoles', consoles.Consoles(state), {'POST': 'create'})
    server_parts.add_routes(add, state, srv)
    add('/servers/{server_id}/os-security-groups', ServerSecurityGroups(state, srv),
        {'GET': 'index'})


class ServerSecurityGroups(security_groups.SecurityGroups):
    """GET /servers/{server_id}/os-security-groups."""

    def __init__(self, state, servers):
        super().__init__(state)
        self.servers = servers

    def index(self, req, server_id):
        return self.server_index(req, self.servers.server(req, server_id))
