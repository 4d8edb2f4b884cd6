"""What hangs under a server: metadata, tags, addresses, instance actions, interfaces;
and os-server-external-events (the network service telling compute a port is up)."""
import urllib.parse

from common import exceptions
from common import validation
from compute import states
from compute.api import base
from compute.api import schemas
from compute.api import server_view
from compute.db import instances as instances_db


class _Part(base.Controller):
    def __init__(self, state, servers):
        super().__init__(state)
        self.servers = servers

    def get(self, req, server_id, rule):
        return self.servers.server(req, server_id, rule)


class Metadata(_Part):
    def index(self, req, server_id):
        return {'metadata': self.get(req, server_id, 'server-metadata:index')['metadata']}

    def show(self, req, server_id, key):
        meta = self.get(req, server_id, 'server-metadata:show')['metadata']
        if key not in meta:
            raise exceptions.NotFound('Metadata item was not found')
        return {'meta': {key: meta[key]}}

    def create(self, req, server_id):
        data = base.body(req, schemas.METADATA_BODY)
        server = self.get(req, server_id, 'server-metadata:create')
        return {'metadata': self.engine.update_metadata(base.context(req), server,
                                                        data['metadata'])}

    def update_all(self, req, server_id):
        data = base.body(req, schemas.METADATA_BODY)
        server = self.get(req, server_id, 'server-metadata:update_all')
        return {'metadata': self.engine.update_metadata(base.context(req), server,
                                                        data['metadata'], replace=True)}

    def update(self, req, server_id, key):
        data = base.body(req, schemas.META_ITEM)
        if key not in data['meta']:
            raise exceptions.BadRequest('Request body and URI mismatch')
        server = self.get(req, server_id, 'server-metadata:update')
        self.engine.update_metadata(base.context(req), server, data['meta'])
        return {'meta': data['meta']}

    def delete(self, req, server_id, key):
        server = self.get(req, server_id, 'server-metadata:delete')
        self.engine.delete_metadata_item(base.context(req), server, key)
        return None


class Tags(_Part):
    def _check_version(self, req):
        if not base.at_least(req, '2.26'):
            raise exceptions.NotFound('The resource could not be found.')

    def index(self, req, server_id):
        self._check_version(req)
        return {'tags': self.get(req, server_id, 'os-server-tags:index').get('tags') or []}

    def show(self, req, server_id, tag):
        self._check_version(req)
        tags = self.get(req, server_id, 'os-server-tags:show').get('tags') or []
        if tag not in tags:
            raise exceptions.NotFound('Tag %s could not be found.' % tag)
        return None

    def update_all(self, req, server_id):
        self._check_version(req)
        data = base.body(req, schemas.TAGS_BODY)
        server = self.get(req, server_id, 'os-server-tags:update_all')
        return {'tags': self.engine.set_tags(base.context(req), server, data['tags'])}

    def update(self, req, server_id, tag):
        self._check_version(req)
        validation.validate(schemas.TAG, tag)
        server = self.get(req, server_id, 'os-server-tags:update')
        if tag in (server.get('tags') or []):
            return None
        self.engine.add_tag(base.context(req), server, tag)
        return base.created(None, status=201, headers={
            'Location': self.url(req, 'servers', server_id, 'tags', tag)})

    def delete(self, req, server_id, tag):
        self._check_version(req)
        server = self.get(req, server_id, 'os-server-tags:delete')
        self.engine.delete_tag(base.context(req), server, tag)
        return None

    def delete_all(self, req, server_id):
        self._check_version(req)
        server = self.get(req, server_id, 'os-server-tags:delete_all')
        self.engine.delete_all_tags(base.context(req), server)
        return None


class Ips(_Part):
    def index(self, req, server_id):
        server = self.get(req, server_id, 'ips:index')
        return {'addresses': states.addresses(server.get('network_info'))}

    def show(self, req, server_id, network):
        server = self.get(req, server_id, 'ips:show')
        addresses = states.addresses(server.get('network_info'))
        name = urllib.parse.unquote(network)
        if name not in addresses:
            raise exceptions.NotFound('Instance is not a member of specified network')
        return {name: addresses[name]}


class InstanceActions(_Part):
    def _view(self, req, action):
        out = {'action': action['action'], 'instance_uuid': action['instance_uuid'],
               'request_id': action['request_id'], 'user_id': action['user_id'],
               'project_id': action['project_id'],
               'start_time': base.iso(action['start_time'], z=False),
               'message': action.get('message')}
        if base.at_least(req, '2.58'):
            out['updated_at'] = base.iso(action.get('updated_at') or action['start_time'],
                                         z=False)
        return out

    def index(self, req, server_id):
        ctx = base.context(req)
        server = self.engine.get(ctx, server_id, show_deleted=True)
        self.authorize(req, 'os-instance-actions:list', {'project_id': server['project_id']})
        actions = self.engine.list_actions(ctx, server)
        actions = sorted(actions, key=lambda a: a['start_time'], reverse=True)
        limit, marker = base.limit_marker(req) if base.at_least(req, '2.58') else (None, None)
        if marker is not None:
            ids = [a['request_id'] for a in actions]
            if marker not in ids:
                raise exceptions.BadRequest('Marker %s could not be found.' % marker)
            actions = actions[ids.index(marker) + 1:]
        if limit is not None:
            actions = actions[:limit]
        return self.page(req, 'instanceActions', 'servers/%s/os-instance-actions' % server_id,
                         [self._view(req, a) for a in actions], limit, key='request_id',
                         links_key='links')

    def show(self, req, server_id, request_id):
        ctx = base.context(req)
        server = self.engine.get(ctx, server_id, show_deleted=True)
        target = {'project_id': server['project_id']}
        self.authorize(req, 'os-instance-actions:show', target)
        action = self.engine.get_action(ctx, server, request_id)
        out = self._view(req, action)
        show_events = self.allowed(req, 'os-instance-actions:events', target) or \
            base.at_least(req, '2.51')
        if show_events:
            admin = self.allowed(req, 'os-instance-actions:events', target)
            events = []
            for ev in action.get('events') or []:
                item = {'event': ev['event'], 'start_time': base.iso(ev['start_time'], z=False),
                        'finish_time': base.iso(ev.get('finish_time'), z=False),
                        'result': ev.get('result')}
                if admin:
                    item['traceback'] = ev.get('traceback')
                if base.at_least(req, '2.62'):
                    if admin:
                        item['host'] = ev.get('host') or ''
                    item['hostId'] = server_view.host_id({'project_id': server['project_id'],
                                                          'host': ev.get('host')})
                if base.at_least(req, '2.84') and admin:
                    item['details'] = ev.get('details')
                events.append(item)
            out['events'] = events
        return {'instanceAction': out}


class Interfaces(_Part):
    def _view(self, req, vif):
        out = {'port_id': vif['port_id'], 'net_id': vif['network_id'],
               'mac_addr': vif['mac'], 'port_state': vif.get('port_state', 'ACTIVE'),
               'fixed_ips': [{'subnet_id': ip.get('subnet_id'), 'ip_address': ip['address']}
                             for ip in vif.get('fixed_ips', [])]}
        if base.at_least(req, '2.70'):
            out['tag'] = vif.get('tag')
        return out

    def index(self, req, server_id):
        server = self.get(req, server_id, 'os-attach-interfaces:list')
        return {'interfaceAttachments': [self._view(req, v) for v in
                                         server.get('network_info') or []]}

    def show(self, req, server_id, id):
        server = self.get(req, server_id, 'os-attach-interfaces:show')
        for vif in server.get('network_info') or []:
            if vif['port_id'] == id:
                return {'interfaceAttachment': self._view(req, vif)}
        raise exceptions.NotFound('Port %s is not attached' % id)

    def create(self, req, server_id):
        data = base.body(req, schemas.INTERFACE_ATTACH).get('interfaceAttachment') or {}
        server = self.get(req, server_id, 'os-attach-interfaces:create')
        if data.get('port_id') and data.get('net_id'):
            raise exceptions.BadRequest('Must not input both network_id and port_id')
        fixed = (data.get('fixed_ips') or [{}])[0].get('ip_address')
        if fixed and not data.get('net_id'):
            raise exceptions.BadRequest('A fixed_ip needs a net_id.')
        vif = self.engine.attach_interface(base.context(req), server,
                                           port_id=data.get('port_id'),
                                           net_id=data.get('net_id'), fixed_ip=fixed,
                                           tag=data.get('tag'))
        return {'interfaceAttachment': self._view(req, vif)}

    def delete(self, req, server_id, id):
        server = self.get(req, server_id, 'os-attach-interfaces:delete')
        self.engine.detach_interface(base.context(req), server, id)
        return base.accepted()


class VolumeAttachments(_Part):
    """os-volume_attachments: the volumes of a server (attach, detach, list, show)."""

    def _view(self, req, server, bdm):
        view = {'serverId': server['uuid'], 'volumeId': bdm['volume_id'],
                'device': bdm.get('device_name')}
        if not base.at_least(req, '2.89'):
            view['id'] = bdm['volume_id']
        if base.at_least(req, '2.70'):
            view['tag'] = bdm.get('tag')
        if base.at_least(req, '2.79'):
            view['delete_on_termination'] = bool(bdm.get('delete_on_termination'))
        if base.at_least(req, '2.89'):
            view['attachment_id'] = bdm.get('attachment_id')
            view['bdm_uuid'] = bdm['uuid']
        return view

    def index(self, req, server_id):
        server = self.get(req, server_id, 'os-volumes-attachments:index')
        rows = self.engine.list_volume_attachments(base.context(req), server)
        limit = req.GET.get('limit')
        offset = req.GET.get('offset')
        try:
            offset = int(offset) if offset else 0
            limit = int(limit) if limit else None
        except ValueError:
            raise exceptions.BadRequest('limit and offset must be integers') from None
        if offset < 0 or (limit is not None and limit < 0):
            raise exceptions.BadRequest('limit and offset must not be negative')
        rows = rows[offset:] if limit is None else rows[offset:offset + limit]
        return {'volumeAttachments': [self._view(req, server, b) for b in rows]}

    def show(self, req, server_id, id):
        server = self.get(req, server_id, 'os-volumes-attachments:show')
        bdm = self.engine.get_volume_attachment(base.context(req), server, id)
        return {'volumeAttachment': self._view(req, server, bdm)}

    def create(self, req, server_id):
        data = base.body(req, schemas.volume_attachment(base.version(req)))[
            'volumeAttachment']
        server = self.get(req, server_id, 'os-volumes-attachments:create')
        bdm = self.engine.attach_volume(
            base.context(req), server, data['volumeId'], device=data.get('device'),
            tag=data.get('tag'), delete_on_termination=data.get('delete_on_termination',
                                                                False))
        return {'volumeAttachment': self._view(req, server, bdm)}

    def update(self, req, server_id, id):
        data = base.body(req, schemas.volume_attachment_update(base.version(req)))[
            'volumeAttachment']
        server = self.get(req, server_id, 'os-volumes-attachments:update')
        ctx = base.context(req)
        bdm = self.engine.get_volume_attachment(ctx, server, id)    # 404 first, as Nova
        if data['volumeId'] != id:
            self.authorize(req, 'os-volumes-attachments:swap',
                           {'project_id': server['project_id']})
        elif not base.at_least(req, '2.85'):
            raise exceptions.BadRequest('Before microversion 2.85 an update swaps the volume: '
                                        'volumeId must name another volume.')
        for key, current in (('serverId', server['uuid']), ('id', id),
                             ('device', bdm.get('device_name')), ('tag', bdm.get('tag'))):
            if key in data and data[key] != current:
                raise exceptions.BadRequest('%s of a volume attachment cannot be changed.'
                                            % key)
        bdm = self.engine.update_volume_attachment(
            ctx, server, id, data['volumeId'], data.get('delete_on_termination'))
        if base.at_least(req, '2.85'):
            return {'volumeAttachment': self._view(req, server, bdm)}
        return base.accepted()

    def delete(self, req, server_id, id):
        server = self.get(req, server_id, 'os-volumes-attachments:delete')
        self.engine.detach_volume(base.context(req), server, id)
        return base.accepted()


class ServerPassword(_Part):
    """os-server-password: the password a guest posted to the metadata service (encrypted
    with the server's key pair by the guest), read and cleared by the server's owner."""

    def index(self, req, server_id):
        server = self.get(req, server_id, 'os-server-password:show')
        return {'password': (server.get('system_metadata') or {}).get('password') or ''}

    def clear(self, req, server_id):
        server = self.get(req, server_id, 'os-server-password:clear')
        instances_db.set_password(self.db, server['uuid'], '')
        return base.no_content()


class ExternalEvents(base.Controller):
    """POST /os-server-external-events (admin: the network service's user)."""

    def create(self, req):
        self.authorize(req, 'os-server-external-events:create')
        events = base.body(req, schemas.EXTERNAL_EVENTS)['events']
        result = self.engine.external_events(base.context(req), events)
        codes = {e['code'] for e in result}
        if codes == {404}:
            raise exceptions.NotFound('No instances found for any event')
        status = 200 if codes == {200} else 207
        return base.created({'events': result}, status=status)


def add_routes(add, state, servers):
    meta = Metadata(state, servers)
    add('/servers/{server_id}/metadata', meta,
        {'GET': 'index', 'POST': 'create', 'PUT': 'update_all'})
    add('/servers/{server_id}/metadata/{key}', meta,
        {'GET': 'show', 'PUT': 'update', 'DELETE': 'delete'})
    tags = Tags(state, servers)
    add('/servers/{server_id}/tags', tags,
        {'GET': 'index', 'PUT': 'update_all', 'DELETE': 'delete_all'})
    add('/servers/{server_id}/tags/{tag}', tags,
        {'GET': 'show', 'PUT': 'update', 'DELETE': 'delete'})
    ips = Ips(state, servers)
    add('/servers/{server_id}/ips', ips, {'GET': 'index'})
    add('/servers/{server_id}/ips/{network}', ips, {'GET': 'show'})
    acts = InstanceActions(state, servers)
    add('/servers/{server_id}/os-instance-actions', acts, {'GET': 'index'})
    add('/servers/{server_id}/os-instance-actions/{request_id}', acts, {'GET': 'show'})
    ifaces = Interfaces(state, servers)
    add('/servers/{server_id}/os-interface', ifaces, {'GET': 'index', 'POST': 'create'})
    add('/servers/{server_id}/os-interface/{id}', ifaces, {'GET': 'show', 'DELETE': 'delete'})
    vols = VolumeAttachments(state, servers)
    add('/servers/{server_id}/os-volume_attachments', vols, {'GET': 'index', 'POST': 'create'})
    add('/servers/{server_id}/os-volume_attachments/{id}', vols,
        {'GET': 'show', 'PUT': 'update', 'DELETE': 'delete'})
    add('/os-server-external-events', ExternalEvents(state), {'POST': 'create'})
    add('/servers/{server_id}/os-server-password', ServerPassword(state, servers),
        {'GET': 'index', 'DELETE': 'clear'})
