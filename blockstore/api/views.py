"""How resources look in Cinder's v3 API (what openstacksdk and the openstack CLI parse)."""
from common.wsgi import endpoint


def _time(value):
    return value.isoformat() + '.000000' if value is not None and value.microsecond == 0 \
        else (value.isoformat() if value is not None else None)


def _links(conf, req, collection, ident):
    base = endpoint.public_url(conf, req)
    project = req.urlvars.get('project_id')
    return [{'rel': 'self', 'href': '%s/v3/%s/%s/%s' % (base, project, collection, ident)},
            {'rel': 'bookmark', 'href': '%s/%s/%s/%s' % (base, project, collection, ident)}]


def attachment_summary(att):
    return {'id': att['id'], 'attachment_id': att['id'], 'volume_id': att['volume_id'],
            'server_id': att['instance_uuid'], 'host_name': att['attached_host'],
            'device': att['mountpoint'], 'attached_at': _time(att['attach_time'])}


def volume(conf, req, vol, vtype_name=None, attachments=(), admin=False, detail=True):
    if not detail:
        return {'id': vol['id'], 'name': vol['name'],
                'links': _links(conf, req, 'volumes', vol['id'])}
    body = {
        'id': vol['id'], 'name': vol['name'], 'description': vol['description'],
        'size': vol['size'], 'status': vol['status'],
        'availability_zone': vol['availability_zone'],
        'created_at': _time(vol['created_at']), 'updated_at': _time(vol['updated_at']),
        'volume_type': vtype_name, 'volume_type_id': vol['volume_type_id'],
        'snapshot_id': vol['snapshot_id'], 'source_volid': vol['source_volid'],
        'backup_id': vol['backup_id'], 'metadata': vol['metadata'] or {},
        'bootable': 'true' if vol['bootable'] else 'false',
        'encrypted': False, 'multiattach': vol['multiattach'],
        'replication_status': None, 'consistencygroup_id': None, 'group_id': None,
        'user_id': vol['user_id'], 'os-vol-tenant-attr:tenant_id': vol['project_id'],
        'os-vol-mig-status-attr:migstat': None, 'os-vol-mig-status-attr:name_id': None,
        'attachments': [attachment_summary(a) for a in attachments
                        if a['attach_status'] == 'attached'],
        'links': _links(conf, req, 'volumes', vol['id']),
        'consumes_quota': True, 'provider_id': None, 'service_uuid': None,
        'shared_targets': False, 'cluster_name': None,
    }
    if vol['image_metadata']:
        body['volume_image_metadata'] = vol['image_metadata']
    if vol['status'] == 'error' and vol.get('fault'):
        body['fault'] = vol['fault']  # a clue for the owner; the driver's message, no secret
    if admin:
        body['os-vol-host-attr:host'] = vol['host']
    return body


def snapshot(snap, detail=True):
    body = {'id': snap['id'], 'name': snap['name'], 'description': snap['description'],
            'volume_id': snap['volume_id'], 'size': snap['size'], 'status': snap['status'],
            'created_at': _time(snap['created_at']), 'updated_at': _time(snap['updated_at']),
            'metadata': snap['metadata'] or {}, 'group_snapshot_id': None,
            'consumes_quota': True, 'user_id': snap['user_id']}
    if detail:
        body['os-extended-snapshot-attributes:progress'] = snap['progress'] or '0%'
        body['os-extended-snapshot-attributes:project_id'] = snap['project_id']
    return body


def volume_type(vtype, admin=False):
    body = {'id': vtype['id'], 'name': vtype['name'], 'description': vtype['description'],
            'is_public': vtype['is_public'], 'os-volume-type-access:is_public':
            vtype['is_public'], 'extra_specs': vtype['extra_specs'] or {},
            'qos_specs_id': None}
    return body


def backup(conf, req, bak, has_dependents=False, detail=True):
    if not detail:
        return {'id': bak['id'], 'name': bak['name'],
                'links': _links(conf, req, 'backups', bak['id'])}
    return {'id': bak['id'], 'name': bak['name'], 'description': bak['description'],
            'volume_id': bak['volume_id'], 'size': bak['size'], 'status': bak['status'],
            'fail_reason': bak['fail_reason'], 'availability_zone': bak['availability_zone'],
            'container': bak['container'], 'object_count': bak['object_count'],
            'is_incremental': bak['parent_id'] is not None,
            'has_dependent_backups': has_dependents, 'snapshot_id': None,
            'data_timestamp': _time(bak['created_at']),
            'created_at': _time(bak['created_at']), 'updated_at': _time(bak['updated_at']),
            'os-backup-project-attr:project_id': bak['project_id'], 'user_id': bak['user_id'],
            'metadata': {}, 'encryption_key_id': None,
            'links': _links(conf, req, 'backups', bak['id'])}


def attachment(att, connection_info=None):
    return {'id': att['id'], 'volume_id': att['volume_id'],
            'instance': att['instance_uuid'], 'status': att['attach_status'],
            'attach_mode': att['attach_mode'], 'attached_at': _time(att['attach_time']),
            'detached_at': None, 'connection_info': connection_info or {}}
