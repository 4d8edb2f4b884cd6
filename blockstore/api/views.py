"""How resources look in Cinder's v3 API (what openstacksdk and the openstack CLI parse)."""
from common.wsgi import endpoint


def _time(value):
    return value.isoformat() + '.000000' if value is not None and value.microsecond == 0 \
        else (value.isoformat() if value is not None else None)


def links(conf, req, collection, ident):
    """The self and bookmark links of one resource."""
    base = endpoint.public_url(conf, req)
    project = req.urlvars.get('project_id')
    return [{'rel': 'self', 'href': '%s/v3/%s/%s/%s' % (base, project, collection, ident)},
            {'rel': 'bookmark', 'href': '%s/%s/%s/%s' % (base, project, collection, ident)}]


def attachment_summary(att):
    return {'id': att['id'], 'attachment_id': att['id'], 'volume_id': att['volume_id'],
            'server_id': att['instance_uuid'], 'host_name': att['attached_host'],
            'device': att['mountpoint'], 'attached_at': _time(att['attach_time'])}


# Fields that later microversions add to a volume (Cinder's api_microversion_history):
# clients validating the default 3.0 refuse any field they do not know (tempest's response
# schemas say additionalProperties: False), so each appears only at or after its version.
VOLUME_FIELDS_SINCE = (
    ((3, 13), ('group_id',)),
    ((3, 48), ('service_uuid', 'shared_targets')),
    ((3, 63), ('volume_type_id',)),
    ((3, 65), ('consumes_quota',)),
)
# Admin-only fields with the version that brought them.
VOLUME_ADMIN_FIELDS_SINCE = (
    ((3, 21), ('provider_id',)),
    ((3, 61), ('cluster_name',)),
)
BACKUP_FIELDS_SINCE = (
    ((3, 18), ('os-backup-project-attr:project_id',)),
    ((3, 43), ('metadata',)),
    ((3, 56), ('user_id',)),
    ((3, 64), ('encryption_key_id',)),
)
SNAPSHOT_FIELDS_SINCE = (
    ((3, 14), ('group_snapshot_id',)),
    ((3, 41), ('user_id',)),
    ((3, 65), ('consumes_quota',)),
)


def _since(body, version, table):
    """Drop from ``body`` the fields of ``table`` that ``version`` does not know yet."""
    for minimum, names in table:
        if version < minimum:
            for name in names:
                body.pop(name, None)
    return body


def volume(conf, req, vol, vtype_name=None, attachments=(), admin=False, detail=True,
           version=(3, 0), extended=True):
    """A volume as Cinder shows it at ``version``.

    ``extended``: show and list-detail add the extension attributes (project, and for
    admins host and migration state); the create and update answers do not."""
    if not detail:
        return {'id': vol['id'], 'name': vol['name'],
                'links': links(conf, req, 'volumes', vol['id'])}
    body = {
        'id': vol['id'], 'name': vol['name'], 'description': vol['description'],
        'size': vol['size'], 'status': vol['status'],
        'availability_zone': vol['availability_zone'],
        'created_at': _time(vol['created_at']), 'updated_at': _time(vol['updated_at']),
        'volume_type': vtype_name, 'volume_type_id': vol['volume_type_id'],
        'snapshot_id': vol['snapshot_id'], 'source_volid': vol['source_volid'],
        'metadata': vol['metadata'] or {},
        'bootable': 'true' if vol['bootable'] else 'false',
        'encrypted': False, 'multiattach': vol['multiattach'],
        'replication_status': None, 'consistencygroup_id': None,
        'group_id': vol.get('group_id'),
        'user_id': vol['user_id'],
        'attachments': [attachment_summary(a) for a in attachments
                        if a['attach_status'] == 'attached'],
        'links': links(conf, req, 'volumes', vol['id']),
        'consumes_quota': True, 'service_uuid': None, 'shared_targets': False,
    }
    _since(body, version, VOLUME_FIELDS_SINCE)
    if admin:
        body['migration_status'] = vol.get('migration_status')
        body.update(_since({'provider_id': None, 'cluster_name': None}, version,
                           VOLUME_ADMIN_FIELDS_SINCE))
    if extended:
        body['os-vol-tenant-attr:tenant_id'] = vol['project_id']
        if vol['image_metadata']:
            body['volume_image_metadata'] = vol['image_metadata']
        if admin:
            body['os-vol-host-attr:host'] = vol['host']
            body['os-vol-mig-status-attr:migstat'] = vol.get('migration_status')
            body['os-vol-mig-status-attr:name_id'] = None
    if vol['status'] == 'error' and vol.get('fault'):
        # Not a Cinder field: the driver's message (no secret), read by compute and the
        # owner; only on a volume in error, which schema-checking clients never expect.
        body['fault'] = vol['fault']
    return body


def snapshot(snap, detail=True, version=(3, 0)):
    """A snapshot at ``version``; ``detail`` (show, list detail) adds the extended
    attributes, which the create, update and plain list answers do not carry."""
    body = {'id': snap['id'], 'name': snap['name'], 'description': snap['description'],
            'volume_id': snap['volume_id'], 'size': snap['size'], 'status': snap['status'],
            'created_at': _time(snap['created_at']), 'updated_at': _time(snap['updated_at']),
            'metadata': snap['metadata'] or {},
            'group_snapshot_id': snap.get('group_snapshot_id'),
            'consumes_quota': True, 'user_id': snap['user_id']}
    _since(body, version, SNAPSHOT_FIELDS_SINCE)
    if detail:
        body['os-extended-snapshot-attributes:progress'] = snap['progress'] or '0%'
        body['os-extended-snapshot-attributes:project_id'] = snap['project_id']
    return body


def volume_type(vtype, answer='show'):
    """A volume type; the create answer has no ``qos_specs_id`` and the update answer
    neither that nor the type-access attribute (as the clients' schemas expect)."""
    body = {'id': vtype['id'], 'name': vtype['name'], 'description': vtype['description'],
            'is_public': vtype['is_public'], 'extra_specs': vtype['extra_specs'] or {}}
    if answer != 'update':
        body['os-volume-type-access:is_public'] = vtype['is_public']
    if answer == 'show':
        body['qos_specs_id'] = vtype.get('qos_specs_id')
    return body


def qos_specs(spec):
    return {'id': spec['id'], 'name': spec['name'], 'consumer': spec['consumer'],
            'specs': spec['specs'] or {}}


def backup(conf, req, bak, has_dependents=False, detail=True, version=(3, 0)):
    if not detail:
        return {'id': bak['id'], 'name': bak['name'],
                'links': links(conf, req, 'backups', bak['id'])}
    body = {'id': bak['id'], 'name': bak['name'], 'description': bak['description'],
            'volume_id': bak['volume_id'], 'size': bak['size'], 'status': bak['status'],
            'fail_reason': bak['fail_reason'], 'availability_zone': bak['availability_zone'],
            'container': bak['container'], 'object_count': bak['object_count'],
            'is_incremental': bak['parent_id'] is not None,
            'has_dependent_backups': has_dependents, 'snapshot_id': None,
            'data_timestamp': _time(bak['created_at']),
            'created_at': _time(bak['created_at']), 'updated_at': _time(bak['updated_at']),
            'os-backup-project-attr:project_id': bak['project_id'], 'user_id': bak['user_id'],
            'metadata': {}, 'encryption_key_id': None,
            'links': links(conf, req, 'backups', bak['id'])}
    return _since(body, version, BACKUP_FIELDS_SINCE)


def attachment(att, connection_info=None):
    return {'id': att['id'], 'volume_id': att['volume_id'],
            'instance': att['instance_uuid'], 'status': att['attach_status'],
            'attach_mode': att['attach_mode'], 'attached_at': _time(att['attach_time']),
            'detached_at': None, 'connection_info': connection_info or {}}


def transfer(conf, req, collection, row, detail=True, version=(3, 0), auth_key=None):
    """A volume transfer: the summary (list, accept) or the detail (show, create); the
    auth key only in the create answer, the only time it exists in clear."""
    body = {'id': row['id'], 'name': row['name'], 'volume_id': row['volume_id'],
            'links': links(conf, req, collection, row['id'])}
    if detail:
        body['created_at'] = _time(row['created_at'])
        if version >= (3, 55):
            body['no_snapshots'] = row['no_snapshots']
        if version >= (3, 57):
            body.update({'source_project_id': row['project_id'],
                         'destination_project_id': None, 'accepted': False})
    if auth_key is not None:
        body['auth_key'] = auth_key
    return body


def group_type(gtype):
    return {'id': gtype['id'], 'name': gtype['name'], 'description': gtype['description'],
            'is_public': gtype['is_public'], 'group_specs': gtype['group_specs'] or {}}


def group(conf, req, row, detail=True, version=(3, 13), volume_ids=None):
    """A generic volume group at ``version`` (3.13: the base; 3.14 its sources; 3.25 its
    volumes with ``list_volume=True``; 3.58 the project)."""
    if not detail:
        return {'id': row['id'], 'name': row['name']}
    body = {'id': row['id'], 'name': row['name'], 'description': row['description'],
            'status': row['status'], 'availability_zone': row['availability_zone'],
            'created_at': _time(row['created_at']), 'group_type': row['group_type_id'],
            'volume_types': list(row['volume_type_ids'] or [])}
    if version >= (3, 14):
        body['group_snapshot_id'] = row['group_snapshot_id']
        body['source_group_id'] = row['source_group_id']
    if version >= (3, 25) and volume_ids is not None:
        body['volumes'] = volume_ids
    if version >= (3, 38):
        body['replication_status'] = 'disabled'
    if version >= (3, 58):
        body['project_id'] = row['project_id']
    return body


def group_snapshot(row, detail=True, version=(3, 14)):
    if not detail:
        return {'id': row['id'], 'name': row['name']}
    body = {'id': row['id'], 'name': row['name'], 'description': row['description'],
            'status': row['status'], 'group_id': row['group_id'],
            'created_at': _time(row['created_at'])}
    if version >= (3, 29):
        body['group_type_id'] = row['group_type_id']
    if version >= (3, 58):
        body['project_id'] = row['project_id']
    return body
