"""JSON schemas of the block storage request bodies (a bad field is a 400 naming it)."""
from common import validation

UUID = {'type': 'string', 'format': 'uuid'}
NULL_UUID = {'type': ['string', 'null'], 'format': 'uuid'}
NAME = {'type': ['string', 'null'], 'maxLength': 255, 'format': 'name'}
DESC = {'type': ['string', 'null'], 'maxLength': 255, 'format': 'text'}
SIZE = {'type': ['integer', 'string'], 'pattern': '^[0-9]+$', 'minimum': 1,
        'maximum': 65536}
METADATA = {'type': 'object', 'maxProperties': 128,
            'propertyNames': {'minLength': 1, 'maxLength': 255, 'format': 'name'},
            'additionalProperties': {'type': 'string', 'maxLength': 255, 'format': 'text'}}
# the openstack client sends "metadata": null when none is given
NULL_METADATA = dict(METADATA, type=['object', 'null'])
BOOL = {'type': ['boolean', 'string'],
        'enum': [True, False, 'true', 'false', 'True', 'False', '1', '0', 'yes', 'no']}


def _wrap(key, props, required=(), extra=False, top=None):
    inner = {'type': 'object', 'properties': props, 'additionalProperties': extra}
    if required:
        inner['required'] = list(required)
    return {'type': 'object', 'required': [key],
            'properties': dict({key: inner}, **(top or {})),
            'additionalProperties': top is not None}


VOLUME_CREATE = _wrap('volume', {
    'size': SIZE, 'name': NAME, 'description': DESC, 'display_name': NAME,
    'display_description': DESC, 'volume_type': {'type': ['string', 'null'],
                                                 'maxLength': 255, 'format': 'name'},
    'availability_zone': NAME, 'snapshot_id': NULL_UUID, 'source_volid': NULL_UUID,
    'imageRef': NULL_UUID, 'image_id': NULL_UUID, 'backup_id': NULL_UUID,
    'metadata': NULL_METADATA, 'multiattach': BOOL, 'consistencygroup_id': {'type': 'null'},
    'group_id': NULL_UUID, 'source_replica': {'type': 'null'}}, top={
        'OS-SCH-HNT:scheduler_hints': {'type': ['object', 'null']}})
VOLUME_UPDATE = _wrap('volume', {'name': NAME, 'description': DESC, 'display_name': NAME,
                                 'display_description': DESC, 'metadata': NULL_METADATA})
METADATA_BODY = {'type': 'object', 'required': ['metadata'], 'additionalProperties': False,
                 'properties': {'metadata': METADATA}}
META_ITEM = {'type': 'object', 'required': ['meta'], 'additionalProperties': False,
             'properties': {'meta': dict(METADATA, minProperties=1, maxProperties=1)}}
# volume_id may be null, answered 404 as a volume not found (Cinder; tempest checks it).
SNAPSHOT_CREATE = _wrap('snapshot', {
    'volume_id': NULL_UUID, 'name': NAME, 'description': DESC, 'display_name': NAME,
    'display_description': DESC, 'force': BOOL, 'metadata': NULL_METADATA}, ['volume_id'])
SNAPSHOT_UPDATE = _wrap('snapshot', {'name': NAME, 'description': DESC,
                                     'display_name': NAME, 'display_description': DESC})
TYPE_CREATE = _wrap('volume_type', {
    'name': validation.name(), 'description': DESC,
    'os-volume-type-access:is_public': BOOL, 'is_public': BOOL,
    'extra_specs': METADATA}, ['name'])
TYPE_UPDATE = _wrap('volume_type', {'name': validation.name(), 'description': DESC,
                                    'is_public': BOOL})
EXTRA_SPECS = {'type': 'object', 'required': ['extra_specs'], 'additionalProperties': False,
               'properties': {'extra_specs': METADATA}}
CONNECTOR = {'type': 'object', 'properties': {
    'initiator': {'type': 'string', 'maxLength': 255},
    'ip': {'type': ['string', 'null'], 'maxLength': 64},
    'host': {'type': ['string', 'null'], 'maxLength': 255}}}
ATTACHMENT_CREATE = _wrap('attachment', {
    'volume_uuid': UUID, 'instance_uuid': NULL_UUID, 'connector': CONNECTOR,
    'mode': {'enum': ['rw', 'ro']}}, ['volume_uuid'])
ATTACHMENT_UPDATE = _wrap('attachment', {'connector': CONNECTOR}, ['connector'])
BACKUP_CREATE = _wrap('backup', {
    'volume_id': UUID, 'name': NAME, 'description': DESC, 'container': NAME,
    'incremental': BOOL, 'force': BOOL, 'snapshot_id': {'type': 'null'},
    'metadata': NULL_METADATA, 'availability_zone': NAME}, ['volume_id'])
BACKUP_RESTORE = {'type': 'object', 'required': ['restore'], 'additionalProperties': False,
                  'properties': {'restore': {
                      'type': ['object', 'null'], 'additionalProperties': False,
                      'properties': {'volume_id': NULL_UUID, 'name': NAME}}}}
QOS_CONSUMER = {'enum': ['front-end', 'back-end', 'both']}
QOS_VALUE = {'type': 'string', 'maxLength': 255, 'format': 'name'}
QOS_KEYS = {'minLength': 1, 'maxLength': 255, 'format': 'name'}
QOS_CREATE = {'type': 'object', 'required': ['qos_specs'], 'additionalProperties': False,
              'properties': {'qos_specs': {
                  'type': 'object', 'required': ['name'], 'maxProperties': 64,
                  'propertyNames': QOS_KEYS,
                  'properties': {'name': validation.name(), 'consumer': QOS_CONSUMER},
                  'additionalProperties': QOS_VALUE}}}
QOS_UPDATE = {'type': 'object', 'required': ['qos_specs'], 'additionalProperties': False,
              'properties': {'qos_specs': {
                  'type': 'object', 'minProperties': 1, 'maxProperties': 64,
                  'propertyNames': QOS_KEYS, 'properties': {'consumer': QOS_CONSUMER},
                  'additionalProperties': QOS_VALUE}}}
QOS_DELETE_KEYS = {'type': 'object', 'required': ['keys'], 'additionalProperties': False,
                   'properties': {'keys': {'type': 'array', 'minItems': 1, 'maxItems': 64,
                                           'items': dict(QOS_KEYS, type='string')}}}
TRANSFER_CREATE = _wrap('transfer', {'volume_id': UUID, 'name': NAME, 'no_snapshots': BOOL},
                        ['volume_id'])
TRANSFER_ACCEPT = _wrap('accept', {'auth_key': {'type': 'string', 'minLength': 1,
                                                'maxLength': 255, 'format': 'name'}},
                        ['auth_key'])
QUOTA_LIMIT = {'type': ['integer', 'string'], 'pattern': '^-?[0-9]+$', 'minimum': -1}
QUOTA_UPDATE = {'type': 'object', 'required': ['quota_set'], 'additionalProperties': False,
                'properties': {'quota_set': {
                    'type': 'object', 'additionalProperties': False,
                    'properties': {r: QUOTA_LIMIT for r in (
                        'volumes', 'snapshots', 'gigabytes', 'backups', 'backup_gigabytes',
                        'groups', 'per_volume_gigabytes')}
                    | {'tenant_id': {'type': 'string'}}}}}

# volume actions: body {"os-<action>": args}
ACTIONS = {
    'os-extend': {'type': 'object', 'required': ['new_size'], 'additionalProperties': False,
                  'properties': {'new_size': SIZE}},
    'os-reset_status': {'type': 'object', 'additionalProperties': False, 'properties': {
        'status': {'enum': ['available', 'error', 'in-use', 'creating', 'deleting',
                            'attaching', 'detaching', 'error_deleting', 'error_extending',
                            'maintenance', 'reserved', 'backing-up', 'restoring-backup',
                            'error_restoring', 'downloading']},
        'attach_status': {'enum': ['attached', 'detached']},
        'migration_status': {'type': ['string', 'null']}}},
    'os-force_delete': {'type': ['object', 'null']},
    'os-set_bootable': {'type': 'object', 'required': ['bootable'],
                        'additionalProperties': False, 'properties': {'bootable': BOOL}},
    'os-update_readonly_flag': {'type': 'object', 'required': ['readonly'],
                                'additionalProperties': False,
                                'properties': {'readonly': BOOL}},
    'os-reserve': {'type': ['object', 'null']},
    'os-unreserve': {'type': ['object', 'null']},
    'os-begin_detaching': {'type': ['object', 'null']},
    'os-roll_detaching': {'type': ['object', 'null']},
    'os-initialize_connection': {'type': 'object', 'required': ['connector'],
                                 'properties': {'connector': CONNECTOR}},
    'os-terminate_connection': {'type': 'object', 'required': ['connector'],
                                'properties': {'connector': {'type': ['object', 'null']}}},
    'os-attach': {'type': 'object', 'additionalProperties': False, 'properties': {
        'instance_uuid': NULL_UUID, 'mountpoint': {'type': 'string', 'maxLength': 255,
                                                   'format': 'name'},
        'host_name': NAME, 'mode': {'enum': ['rw', 'ro']}}, 'required': ['mountpoint']},
    'os-volume_upload_image': {
        'type': 'object', 'required': ['image_name'], 'additionalProperties': False,
        'properties': {
            'image_name': {'type': 'string', 'minLength': 1, 'maxLength': 255,
                           'format': 'name'},
            'disk_format': {'enum': ['raw', 'qcow2', 'vmdk', 'vdi', 'vhd', 'vhdx']},
            'container_format': {'enum': ['bare']}, 'force': BOOL,
            'visibility': {'enum': ['public', 'private', 'shared', 'community']},
            'protected': BOOL}},
    'os-retype': {'type': 'object', 'required': ['new_type'], 'additionalProperties': False,
                  'properties': {
                      'new_type': {'type': 'string', 'minLength': 1, 'maxLength': 255,
                                   'format': 'name'},
                      'migration_policy': {'enum': ['never', 'on-demand', None]}}},
    'os-migrate_volume': {'type': 'object', 'additionalProperties': False, 'properties': {
        'host': {'type': ['string', 'null'], 'minLength': 1, 'maxLength': 255,
                 'pattern': '^[A-Za-z0-9._-]+@[A-Za-z0-9._-]+(#[A-Za-z0-9._-]+)?$'},
        'cluster': {'type': ['string', 'null'], 'maxLength': 255},
        'force_host_copy': BOOL, 'lock_volume': BOOL}},
    'os-migrate_volume_completion': {
        'type': 'object', 'required': ['new_volume'], 'additionalProperties': False,
        'properties': {'new_volume': UUID, 'error': BOOL}},
    'os-detach': {'type': ['object', 'null'], 'additionalProperties': False,
                  'properties': {'attachment_id': NULL_UUID}},
}
SNAPSHOT_ACTIONS = {
    'os-reset_status': {'type': 'object', 'required': ['status'],
                        'additionalProperties': False, 'properties': {'status': {
                            'enum': ['available', 'error', 'creating', 'deleting',
                                     'error_deleting']}}},
    'os-force_delete': {'type': ['object', 'null']},
    'os-update_snapshot_status': {
        'type': 'object', 'required': ['status'], 'additionalProperties': False,
        'properties': {'status': {'enum': ['creating', 'available', 'error', 'deleting',
                                           'error_deleting']},
                       'progress': {'type': 'string', 'pattern': r'^(100|[1-9]?[0-9])%$'}}},
}
# os-update_snapshot_status: what a snapshot may become from each status (Cinder's rule,
# for a hypervisor that takes the snapshot itself and reports on it).
SNAPSHOT_STATUS_UPDATES = {'creating': {'creating', 'available', 'error'},
                           'deleting': {'deleting', 'error_deleting'}}
BACKUP_ACTIONS = {
    'os-reset_status': {'type': 'object', 'required': ['status'],
                        'additionalProperties': False,
                        'properties': {'status': {'enum': ['available', 'error']}}},
    'os-force_delete': {'type': ['object', 'null']},
}
TYPE_ACTIONS = {
    'addProjectAccess': {'type': 'object', 'required': ['project'],
                         'additionalProperties': False,
                         'properties': {'project': validation.ID}},
    'removeProjectAccess': {'type': 'object', 'required': ['project'],
                            'additionalProperties': False,
                            'properties': {'project': validation.ID}},
}

# generic volume groups (3.11 types, 3.13 groups, 3.14 group snapshots) ---------------------
GROUP_TYPE_CREATE = _wrap('group_type', {
    'name': validation.name(), 'description': DESC, 'is_public': BOOL,
    'group_specs': METADATA}, ['name'])
GROUP_TYPE_UPDATE = _wrap('group_type', {'name': validation.name(), 'description': DESC,
                                         'is_public': BOOL})
GROUP_SPECS = {'type': 'object', 'required': ['group_specs'], 'additionalProperties': False,
               'properties': {'group_specs': METADATA}}
# the clients send names or ids of types
TYPE_REF = {'type': 'string', 'minLength': 1, 'maxLength': 255, 'format': 'name'}
GROUP_CREATE = _wrap('group', {
    'name': NAME, 'description': DESC, 'group_type': TYPE_REF,
    'volume_types': {'type': 'array', 'minItems': 1, 'maxItems': 64, 'items': TYPE_REF},
    'availability_zone': NAME}, ['group_type', 'volume_types'])
# comma separated volume ids (Cinder's form)
ID_LIST = {'type': ['string', 'null'], 'maxLength': 65535,
           'pattern': '^[0-9a-fA-F-]{36}(,[0-9a-fA-F-]{36})*$|^$'}
GROUP_UPDATE = _wrap('group', {'name': NAME, 'description': DESC, 'add_volumes': ID_LIST,
                               'remove_volumes': ID_LIST})
GROUP_FROM_SRC = {'type': 'object', 'additionalProperties': False, 'properties': {
    'name': NAME, 'description': DESC, 'group_snapshot_id': NULL_UUID,
    'source_group_id': NULL_UUID}}
GROUP_STATUSES = ['available', 'error', 'creating', 'deleting', 'error_deleting',
                  'updating', 'in-use']
GROUP_ACTIONS = {
    'delete': {'type': ['object', 'null'], 'additionalProperties': False,
               'properties': {'delete-volumes': BOOL}},
    'reset_status': {'type': 'object', 'required': ['status'], 'additionalProperties': False,
                     'properties': {'status': {'enum': GROUP_STATUSES}}},
}
GROUP_SNAPSHOT_CREATE = _wrap('group_snapshot', {
    'group_id': UUID, 'name': NAME, 'description': DESC}, ['group_id'])
GROUP_SNAPSHOT_ACTIONS = {
    'reset_status': {'type': 'object', 'required': ['status'], 'additionalProperties': False,
                     'properties': {'status': {'enum': ['available', 'error', 'creating',
                                                        'deleting', 'error_deleting']}}},
}


def truthy(value):
    return value in (True, 'true', 'True', '1', 'yes')


def action(table, body):
    """``(name, args)`` of an action body ``{"name": args}`` (400 naming what is wrong)."""
    from common import exceptions
    if not isinstance(body, dict) or len(body) != 1:
        raise exceptions.BadRequest('An action body holds exactly one action.')
    name, args = next(iter(body.items()))
    schema = table.get(name)
    if schema is None:
        raise exceptions.BadRequest('There is no such action: %s' % name[:64])
    validation.validate({'type': 'object', 'properties': {name: schema}}, body)
    return name, args or {}
