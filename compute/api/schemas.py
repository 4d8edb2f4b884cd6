"""JSON schemas of the compute API's request bodies (a bad body is a 400 naming the field)."""
from common import validation

NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255, 'format': 'name',
        'pattern': r'^\S(.*\S)?$'}
NAME_ANY_SPACE = {'type': 'string', 'minLength': 1, 'maxLength': 255, 'format': 'name'}
DESCRIPTION = {'type': ['string', 'null'], 'maxLength': 255, 'format': 'text'}
POSITIVE_INT = {'type': ['integer', 'string'], 'pattern': r'^[0-9]*$', 'minimum': 1,
                'minLength': 1}
NON_NEGATIVE_INT = {'type': ['integer', 'string'], 'pattern': r'^[0-9]*$', 'minimum': 0,
                    'minLength': 1}
BOOLEAN = {'type': ['boolean', 'string'],
           'enum': [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes',
                    False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No',
                    'no']}
UUID = {'type': 'string', 'format': 'uuid'}
METADATA = {'type': 'object',
            'patternProperties': {r'^[a-zA-Z0-9-_:. ]{1,255}$': {
                'type': 'string', 'maxLength': 255, 'format': 'name'}},
            'additionalProperties': False}
TAG = {'type': 'string', 'minLength': 1, 'maxLength': 60, 'pattern': r'^[^,/]*$',
       'format': 'name'}


def obj(key, properties, required=(), extra=False):
    """``{key: {properties...}}`` with the inner object closed unless ``extra``."""
    inner = {'type': 'object', 'properties': properties, 'required': list(required),
             'additionalProperties': extra}
    return {'type': 'object', 'properties': {key: inner}, 'required': [key],
            'additionalProperties': False}


def truthy(value):
    if isinstance(value, bool):
        return value
    return str(value).lower() in ('true', '1', 'on', 'yes')


FLAVOR_CREATE = obj('flavor', {
    'name': NAME,
    # An integer id is taken as its decimal text (Nova accepts both).
    'id': {'type': ['string', 'integer', 'null'], 'minimum': 0, 'minLength': 1,
           'maxLength': 255,
           'pattern': r'^(?! )[a-zA-Z0-9. _-]+(?<! )$'},
    'ram': POSITIVE_INT, 'vcpus': POSITIVE_INT, 'disk': NON_NEGATIVE_INT,
    'OS-FLV-EXT-DATA:ephemeral': NON_NEGATIVE_INT,
    'swap': NON_NEGATIVE_INT,
    'rxtx_factor': {'type': ['number', 'string'], 'pattern': r'^[0-9]+(\.[0-9]+)?$',
                    'exclusiveMinimum': 0, 'maximum': 3.40282e+38},
    'os-flavor-access:is_public': BOOLEAN,
    'description': DESCRIPTION,
}, required=('name', 'ram', 'vcpus', 'disk'))

FLAVOR_UPDATE = obj('flavor', {'description': DESCRIPTION}, required=('description',))

EXTRA_SPECS = {'type': 'object', 'properties': {'extra_specs': {
    'type': 'object',
    'patternProperties': {r'^[a-zA-Z0-9-_:. ]{1,255}$': {
        'type': ['string', 'number', 'boolean'], 'maxLength': 255}},
    'additionalProperties': False}}, 'required': ['extra_specs'],
    'additionalProperties': False}

EXTRA_SPEC_ITEM = {'type': 'object', 'patternProperties': {
    r'^[a-zA-Z0-9-_:. ]{1,255}$': {'type': ['string', 'number', 'boolean'],
                                   'maxLength': 255}},
    'minProperties': 1, 'maxProperties': 1, 'additionalProperties': False}

FLAVOR_ACCESS = {
    'type': 'object',
    'properties': {
        'addTenantAccess': {'type': 'object', 'properties': {'tenant': validation.ID},
                            'required': ['tenant'], 'additionalProperties': False},
        'removeTenantAccess': {'type': 'object', 'properties': {'tenant': validation.ID},
                               'required': ['tenant'], 'additionalProperties': False}},
    'minProperties': 1, 'maxProperties': 1, 'additionalProperties': False}

KEYPAIR_NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255,
                'pattern': r'^[a-zA-Z0-9 _.@-]+$', 'format': 'name'}


def keypair_create(generate_allowed, with_type, with_user):
    props = {'name': KEYPAIR_NAME,
             'public_key': {'type': 'string', 'minLength': 1, 'maxLength': 65535,
                            'format': 'text'}}
    if with_type:
        props['type'] = {'type': 'string', 'enum': ['ssh', 'x509']}
    if with_user:
        props['user_id'] = validation.ID
    required = ('name',) if generate_allowed else ('name', 'public_key')
    return obj('keypair', props, required=required)


QUOTA_RESOURCES = ('instances', 'cores', 'ram', 'metadata_items', 'injected_files',
                   'injected_file_content_bytes', 'injected_file_path_bytes', 'key_pairs',
                   'server_groups', 'server_group_members')
QUOTA_LIMIT = {'type': ['integer', 'string'], 'pattern': r'^-?[0-9]+$', 'minimum': -1}


def quota_set(resources, force=True):
    props = {r: QUOTA_LIMIT for r in resources}
    if force:
        props['force'] = BOOLEAN
    return obj('quota_set', props)


def quota_class_set(resources):
    return obj('quota_class_set', {r: QUOTA_LIMIT for r in resources})


SERVICE_UPDATE = {'type': 'object', 'properties': {
    'status': {'type': 'string', 'enum': ['enabled', 'disabled']},
    'disabled_reason': {'type': 'string', 'minLength': 1, 'maxLength': 255,
                        'format': 'name'},
    'forced_down': BOOLEAN}, 'additionalProperties': False}

SERVICE_LEGACY = {'type': 'object', 'properties': {
    'host': NAME_ANY_SPACE, 'binary': NAME_ANY_SPACE,
    'disabled_reason': {'type': 'string', 'minLength': 1, 'maxLength': 255,
                        'format': 'name'},
    'forced_down': BOOLEAN}, 'required': ['host', 'binary'], 'additionalProperties': False}

SERVER_GROUP_POLICIES = ['affinity', 'anti-affinity', 'soft-affinity', 'soft-anti-affinity']


def server_group_create(new_style):
    props = {'name': NAME_ANY_SPACE}
    if new_style:
        props['policy'] = {'type': 'string', 'enum': SERVER_GROUP_POLICIES}
        props['rules'] = {'type': 'object', 'properties': {'max_server_per_host': {
            'type': ['integer', 'string'], 'pattern': '^[0-9]*$', 'minimum': 1}},
            'additionalProperties': False}
        return obj('server_group', props, required=('name', 'policy'))
    props['policies'] = {'type': 'array', 'items': {'type': 'string',
                                                     'enum': SERVER_GROUP_POLICIES},
                         'minItems': 1, 'maxItems': 1, 'uniqueItems': True}
    return obj('server_group', props, required=('name', 'policies'))


# servers --------------------------------------------------------------------------------
SERVER_NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255, 'format': 'name'}
IMAGE_REF = {'type': 'string', 'maxLength': 255, 'format': 'name'}
FLAVOR_REF = {'type': ['string', 'integer'], 'minLength': 1, 'maxLength': 255}
IPV4 = {'type': 'string', 'format': 'ip-address'}
NETWORK = {'type': 'object', 'properties': {
    'uuid': UUID, 'port': {'type': ['string', 'null'], 'format': 'uuid'},
    'fixed_ip': IPV4, 'tag': TAG}, 'additionalProperties': False}
HOSTNAME = {'type': 'string', 'minLength': 1, 'maxLength': 63,
            'pattern': r'^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$'}
BDM_V2 = {'type': 'object', 'properties': {
    'uuid': {'type': 'string', 'maxLength': 255, 'format': 'name'},
    'source_type': {'type': 'string', 'enum': ['volume', 'image', 'snapshot', 'blank']},
    'destination_type': {'type': 'string', 'enum': ['local', 'volume']},
    'boot_index': {'type': ['integer', 'string', 'null'], 'pattern': '^-?[0-9]+$'},
    'volume_size': {'type': ['integer', 'string', 'null'], 'pattern': '^[0-9]+$'},
    'delete_on_termination': BOOLEAN,
    'device_name': {'type': ['string', 'null'], 'maxLength': 255, 'format': 'name'},
    'device_type': {'type': ['string', 'null'], 'maxLength': 255, 'format': 'name'},
    'disk_bus': {'type': ['string', 'null'], 'maxLength': 255, 'format': 'name'},
    'guest_format': {'type': ['string', 'null'], 'maxLength': 255, 'format': 'name'},
    'volume_type': {'type': ['string', 'null'], 'maxLength': 255, 'format': 'name'},
    'no_device': {}, 'tag': TAG}, 'additionalProperties': False}
COUNT = {'type': ['integer', 'string'], 'pattern': '^[0-9]+$', 'minimum': 1, 'minLength': 1}


def server_create(req_version):
    """The create body at a microversion (a tuple)."""
    props = {
        'name': SERVER_NAME, 'imageRef': IMAGE_REF, 'flavorRef': FLAVOR_REF,
        'adminPass': {'type': 'string', 'maxLength': 255},
        'metadata': METADATA, 'key_name': {'type': ['string', 'null'], 'minLength': 1,
                                           'maxLength': 255, 'format': 'name'},
        'user_data': {'type': ['string', 'null'], 'maxLength': 65535,
                      'pattern': r'^[A-Za-z0-9+/=\s]*$'},
        'security_groups': {'type': 'array', 'items': {
            'type': 'object', 'properties': {'name': SERVER_NAME},
            'required': ['name'], 'additionalProperties': False}},
        'availability_zone': {'type': 'string', 'minLength': 1, 'maxLength': 255,
                              'format': 'name'},
        'min_count': COUNT, 'max_count': COUNT, 'return_reservation_id': BOOLEAN,
        'config_drive': BOOLEAN,
        'block_device_mapping_v2': {'type': 'array', 'items': BDM_V2},
        'block_device_mapping': {'type': 'array'},
        'accessIPv4': IPV4, 'accessIPv6': {'type': 'string', 'format': 'ip-address'},
        'OS-DCF:diskConfig': {'type': 'string', 'enum': ['AUTO', 'MANUAL']},
    }
    if req_version >= (2, 37):
        # 'auto' | 'none' | a list (the string values are checked by the controller: a
        # oneOf here would hide which field of a list entry is wrong).
        props['networks'] = {'type': ['string', 'array'], 'items': NETWORK}
    else:
        props['networks'] = {'type': 'array', 'items': NETWORK}
    if req_version < (2, 57):
        props['personality'] = {'type': 'array', 'items': {
            'type': 'object', 'properties': {'path': {'type': 'string'},
                                             'contents': {'type': 'string'}},
            'additionalProperties': False}}
    if req_version >= (2, 19):
        props['description'] = DESCRIPTION
    if req_version >= (2, 52):
        props['tags'] = {'type': 'array', 'items': TAG, 'maxItems': 50}
    if req_version >= (2, 74):
        props['host'] = NAME_ANY_SPACE
        props['hypervisor_hostname'] = NAME_ANY_SPACE
    if req_version >= (2, 90):
        props['hostname'] = HOSTNAME
    required = ['name', 'flavorRef'] + (['networks'] if req_version >= (2, 37) else [])
    hints = {'type': 'object', 'properties': {
        'group': UUID,
        'different_host': {'type': ['string', 'array'], 'items': UUID},
        'same_host': {'type': ['string', 'array'], 'items': UUID}},
        'additionalProperties': True}
    schema = obj('server', props, required=required)
    schema['properties']['os:scheduler_hints'] = hints
    schema['properties']['OS-SCH-HNT:scheduler_hints'] = hints
    return schema


def server_update(req_version):
    props = {'name': SERVER_NAME, 'accessIPv4': IPV4,
             'accessIPv6': {'type': 'string', 'format': 'ip-address'},
             'OS-DCF:diskConfig': {'type': 'string', 'enum': ['AUTO', 'MANUAL']}}
    if req_version >= (2, 19):
        props['description'] = DESCRIPTION
    if req_version >= (2, 90):
        props['hostname'] = HOSTNAME
    return obj('server', props)


def _action(props=None, required=(), nullable=False):
    if props is None:
        return {'type': ['object', 'null']} if nullable else {'type': 'null'}
    schema = {'type': 'object', 'properties': props, 'required': list(required),
              'additionalProperties': False}
    if nullable:
        schema['type'] = ['object', 'null']
    return schema


def server_action(name, req_version):
    """The schema of the value of one action key, or None for an unknown action."""
    rebuild = {'imageRef': IMAGE_REF, 'name': SERVER_NAME, 'adminPass': {'type': 'string'},
               'metadata': METADATA, 'preserve_ephemeral': BOOLEAN,
               'accessIPv4': IPV4, 'accessIPv6': {'type': 'string', 'format': 'ip-address'},
               'OS-DCF:diskConfig': {'type': 'string', 'enum': ['AUTO', 'MANUAL']}}
    if req_version >= (2, 19):
        rebuild['description'] = DESCRIPTION
    if req_version >= (2, 54):
        rebuild['key_name'] = {'type': ['string', 'null'], 'maxLength': 255}
    if req_version >= (2, 57):
        rebuild['user_data'] = {'type': ['string', 'null'], 'maxLength': 65535,
                                'pattern': r'^[A-Za-z0-9+/=\s]*$'}
    if req_version >= (2, 90):
        rebuild['hostname'] = HOSTNAME
    table = {
        'reboot': _action({'type': {'type': 'string', 'enum': ['SOFT', 'HARD', 'soft',
                                                                'hard']}}, ['type']),
        'os-start': _action(nullable=True), 'os-stop': _action(nullable=True),
        'pause': _action(nullable=True), 'unpause': _action(nullable=True),
        'suspend': _action(nullable=True), 'resume': _action(nullable=True),
        'lock': _action({'locked_reason': {'type': 'string', 'minLength': 1,
                                           'maxLength': 255, 'format': 'name'}}
                        if req_version >= (2, 73) else {}, nullable=True),
        'unlock': _action(nullable=True),
        'rescue': _action({'adminPass': {'type': 'string', 'maxLength': 255},
                           'rescue_image_ref': UUID}, nullable=True),
        'unrescue': _action(nullable=True),
        'rebuild': _action(rebuild, ['imageRef']),
        'resize': _action({'flavorRef': FLAVOR_REF,
                           'OS-DCF:diskConfig': {'type': 'string',
                                                 'enum': ['AUTO', 'MANUAL']}},
                          ['flavorRef']),
        'confirmResize': _action(nullable=True), 'revertResize': _action(nullable=True),
        'createImage': _action({'name': SERVER_NAME, 'metadata': METADATA}, ['name']),
        'createBackup': _action({'name': SERVER_NAME, 'metadata': METADATA,
                                 'backup_type': {'type': 'string', 'minLength': 1,
                                                 'maxLength': 255, 'format': 'name'},
                                 'rotation': NON_NEGATIVE_INT},
                                ['name', 'backup_type', 'rotation']),
        'restore': _action(nullable=True),
        'shelve': _action(nullable=True), 'shelveOffload': _action(nullable=True),
        'unshelve': _action({'availability_zone': {'type': ['string', 'null']}}
                            if req_version >= (2, 77) else {}, nullable=True),
        'os-getConsoleOutput': _action({'length': {'type': ['integer', 'string', 'null'],
                                                   'pattern': '^-?[0-9]+$'}},
                                       nullable=True),
        'forceDelete': _action(nullable=True),
        'os-resetState': _action({'state': {'type': 'string', 'enum': ['active', 'error']}},
                                 ['state']),
        'os-getVNCConsole': _action({'type': {'type': 'string'}}, ['type']),
    }
    return table.get(name)


METADATA_BODY = {'type': 'object', 'properties': {'metadata': METADATA},
                 'required': ['metadata'], 'additionalProperties': False}
META_ITEM = {'type': 'object', 'properties': {'meta': dict(METADATA, minProperties=1,
                                                           maxProperties=1)},
             'required': ['meta'], 'additionalProperties': False}
TAGS_BODY = {'type': 'object', 'properties': {'tags': {'type': 'array', 'items': TAG,
                                                       'maxItems': 50}},
             'required': ['tags'], 'additionalProperties': False}
EXTERNAL_EVENTS = {'type': 'object', 'properties': {'events': {
    'type': 'array', 'minItems': 1, 'items': {
        'type': 'object', 'properties': {
            'server_uuid': UUID,
            'name': {'type': 'string', 'enum': [
                'network-changed', 'network-vif-plugged', 'network-vif-unplugged',
                'network-vif-deleted', 'volume-extended', 'power-update',
                'accelerator-request-bound', 'volume-reimaged']},
            'status': {'type': 'string', 'enum': ['failed', 'completed', 'in-progress']},
            'tag': {'type': 'string', 'maxLength': 255}},
        'required': ['server_uuid', 'name'], 'additionalProperties': False}}},
    'required': ['events'], 'additionalProperties': False}
INTERFACE_ATTACH = {'type': 'object', 'properties': {'interfaceAttachment': {
    'type': 'object', 'properties': {
        'net_id': UUID, 'port_id': UUID,
        'fixed_ips': {'type': 'array', 'maxItems': 1, 'items': {
            'type': 'object', 'properties': {'ip_address': IPV4},
            'required': ['ip_address'], 'additionalProperties': False}},
        'tag': TAG}, 'additionalProperties': False}}, 'additionalProperties': False}


def volume_attachment_update(req_version):
    """PUT os-volume_attachments/{id}: volumeId (a swap when it names another volume);
    from 2.85 the other fields of the attachment may be sent back (only
    delete_on_termination may change)."""
    props = {'volumeId': UUID}
    if req_version >= (2, 85):
        props.update(serverId=UUID, id=UUID, tag=TAG, delete_on_termination={'type': 'boolean'},
                     device={'type': ['string', 'null'], 'maxLength': 255, 'format': 'name'})
    return {'type': 'object', 'properties': {'volumeAttachment': {
        'type': 'object', 'properties': props, 'required': ['volumeId'],
        'additionalProperties': False}}, 'required': ['volumeAttachment'],
        'additionalProperties': False}


def volume_attachment(req_version):
    """POST os-volume_attachments at a microversion: tag from 2.49,
    delete_on_termination from 2.79."""
    props = {'volumeId': UUID,
             'device': {'type': ['string', 'null'], 'maxLength': 255, 'format': 'name'}}
    if req_version >= (2, 49):
        props['tag'] = TAG
    if req_version >= (2, 79):
        props['delete_on_termination'] = {'type': 'boolean'}
    return {'type': 'object', 'properties': {'volumeAttachment': {
        'type': 'object', 'properties': props, 'required': ['volumeId'],
        'additionalProperties': False}}, 'required': ['volumeAttachment'],
        'additionalProperties': False}

# Host aggregates: an AZ name never holds ':' (the 'zone:host:node' syntax of server
# creation) nor starts or ends with spaces.
AZ_NAME = {'type': ['string', 'null'], 'minLength': 1, 'maxLength': 255, 'format': 'name',
           'pattern': r'^[^:\s]([^:]*[^:\s])?$'}
AGGREGATE_CREATE = obj('aggregate', {'name': NAME, 'availability_zone': AZ_NAME},
                       required=['name'])
AGGREGATE_UPDATE = obj('aggregate', {'name': NAME, 'availability_zone': AZ_NAME})
AGGREGATE_UPDATE['properties']['aggregate']['minProperties'] = 1
AGGREGATE_HOST = {'type': 'object', 'properties': {'host': NAME_ANY_SPACE},
                  'required': ['host'], 'additionalProperties': False}
AGGREGATE_METADATA = {'type': 'object', 'properties': {'metadata': {
    'type': 'object', 'minProperties': 1,
    'patternProperties': {r'^[a-zA-Z0-9-_:. ]{1,255}$': {
        'type': ['string', 'null'], 'maxLength': 255, 'format': 'text'}},
    'additionalProperties': False}}, 'required': ['metadata'], 'additionalProperties': False}
AGGREGATE_ACTION = {'type': 'object', 'minProperties': 1, 'maxProperties': 1,
                    'properties': {'add_host': AGGREGATE_HOST, 'remove_host': AGGREGATE_HOST,
                                   'set_metadata': AGGREGATE_METADATA},
                    'additionalProperties': False}
# os-hosts PUT (before 2.43)
HOST_UPDATE = {'type': 'object', 'minProperties': 1, 'properties': {
    'status': {'type': 'string', 'enum': ['enable', 'disable', 'Enable', 'Disable',
                                          'ENABLE', 'DISABLE']},
    'maintenance_mode': {'type': 'string', 'enum': ['enable', 'disable', 'Enable',
                                                    'Disable', 'ENABLE', 'DISABLE']}},
    'additionalProperties': False}
