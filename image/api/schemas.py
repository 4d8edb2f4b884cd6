"""JSON schemas of the image API: the documents served at /v2/schemas/* and the request
validation derived from them."""
import copy

from image import formats

UUID_PATTERN = ('^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}'
                '-([0-9a-fA-F]){12}$')
STATUSES = ('queued', 'saving', 'active', 'killed', 'deleted', 'uploading', 'importing',
            'pending_delete', 'deactivated')
VISIBILITIES = ('public', 'private', 'shared', 'community')
MEMBER_STATUSES = ('pending', 'accepted', 'rejected')

# Set by the service only; clients get 403 when they try.
READ_ONLY = ('created_at', 'updated_at', 'status', 'checksum', 'os_hash_algo',
             'os_hash_value', 'size', 'virtual_size', 'direct_url', 'self', 'file', 'schema',
             'stores', 'id')
RESERVED = ('location', 'deleted', 'deleted_at')
RESERVED_PREFIX = 'os_glance_'

# Columns of the images table a client may set.
CORE = ('name', 'visibility', 'protected', 'os_hidden', 'owner', 'container_format',
        'disk_format', 'min_ram', 'min_disk', 'tags')

_INT32 = {'type': 'integer', 'minimum': 0, 'maximum': 2 ** 31 - 1}


def _nullable_enum(values, description):
    return {'type': ['null', 'string'], 'enum': [None] + list(values),
            'description': description}


IMAGE_PROPERTIES = {
    'id': {'type': 'string', 'pattern': UUID_PATTERN,
           'description': 'An identifier for the image (a UUID).'},
    'name': {'type': ['null', 'string'], 'maxLength': 255,
             'description': 'Descriptive name for the image.'},
    'status': {'type': 'string', 'readOnly': True, 'enum': list(STATUSES),
               'description': 'Where the image is in its lifecycle.'},
    'visibility': {'type': 'string', 'enum': list(VISIBILITIES),
                   'description': 'Who may see and use the image.'},
    'protected': {'type': 'boolean', 'description': 'If true, the image cannot be deleted.'},
    'os_hidden': {'type': 'boolean',
                  'description': 'If true, the image is left out of default image lists.'},
    'checksum': {'type': ['null', 'string'], 'readOnly': True, 'maxLength': 32,
                 'description': 'MD5 hex digest of the image data (legacy).'},
    'os_hash_algo': {'type': ['null', 'string'], 'readOnly': True, 'maxLength': 64,
                     'description': 'Algorithm of os_hash_value.'},
    'os_hash_value': {'type': ['null', 'string'], 'readOnly': True, 'maxLength': 128,
                      'description': 'Hex digest of the image data (os_hash_algo).'},
    'owner': {'type': ['null', 'string'], 'maxLength': 255,
              'description': 'Project owning the image.'},
    'size': {'type': ['null', 'integer'], 'readOnly': True,
             'description': 'Size of the image data in bytes.'},
    'virtual_size': {'type': ['null', 'integer'], 'readOnly': True,
                     'description': 'Size of the disk the image holds, in bytes.'},
    'container_format': _nullable_enum(formats.CONTAINER_FORMATS,
                                       'Format of the container holding the disk image.'),
    'disk_format': _nullable_enum(formats.DISK_FORMATS, 'Format of the disk image.'),
    'created_at': {'type': 'string', 'readOnly': True,
                   'description': 'When the image was created.'},
    'updated_at': {'type': 'string', 'readOnly': True,
                   'description': 'When the image was last changed.'},
    'tags': {'type': 'array', 'items': {'type': 'string', 'maxLength': 255},
             'description': 'Labels of the image.'},
    'direct_url': {'type': 'string', 'readOnly': True,
                   'description': 'Location of the data in its store (administrators only).'},
    'min_ram': dict(_INT32, description='MiB of RAM needed to boot the image.'),
    'min_disk': dict(_INT32, description='GiB of disk needed to boot the image.'),
    'self': {'type': 'string', 'readOnly': True, 'description': 'URL of this image.'},
    'file': {'type': 'string', 'readOnly': True, 'description': 'URL of the image data.'},
    'stores': {'type': 'string', 'readOnly': True,
               'description': 'Stores holding the data, comma separated.'},
    'schema': {'type': 'string', 'readOnly': True, 'description': 'URL of this schema.'},
    'locations': {'type': 'array', 'items': {
        'type': 'object', 'required': ['url', 'metadata'],
        'properties': {'url': {'type': 'string', 'maxLength': 255},
                       'metadata': {'type': 'object'}}},
        'description': 'Where the data is stored (administrators only).'},
}

# Well-known optional properties: listed so clients know them; stored like any other.
BASE_PROPERTIES = {
    'kernel_id': {'type': ['null', 'string'], 'pattern': UUID_PATTERN, 'is_base': False,
                  'description': 'Image of the kernel of an AMI-style image.'},
    'ramdisk_id': {'type': ['null', 'string'], 'pattern': UUID_PATTERN, 'is_base': False,
                   'description': 'Image of the ramdisk of an AMI-style image.'},
    'instance_uuid': {'type': 'string', 'is_base': False,
                      'description': 'Server this image is a snapshot of.'},
    'architecture': {'type': 'string', 'is_base': False,
                     'description': 'CPU architecture the image needs (e.g. x86_64).'},
    'os_distro': {'type': 'string', 'is_base': False,
                  'description': 'Operating system distribution (lowercase, e.g. ubuntu).'},
    'os_version': {'type': 'string', 'is_base': False,
                   'description': 'Operating system version.'},
    'description': {'type': 'string', 'is_base': False, 'description': 'Free-form text.'},
}

LINKS = [{'rel': 'self', 'href': '{self}'}, {'rel': 'enclosure', 'href': '{file}'},
         {'rel': 'describedby', 'href': '{schema}'}]


def image_schema():
    props = copy.deepcopy(IMAGE_PROPERTIES)
    props.update(copy.deepcopy(BASE_PROPERTIES))
    return {'name': 'image', 'properties': props,
            'additionalProperties': {'type': 'string'}, 'links': LINKS}


def images_schema():
    return {'name': 'images',
            'properties': {'images': {'type': 'array', 'items': image_schema()},
                           'schema': {'type': 'string'}, 'first': {'type': 'string'},
                           'next': {'type': 'string'}},
            'links': [{'rel': 'first', 'href': '{first}'}, {'rel': 'next', 'href': '{next}'},
                      {'rel': 'describedby', 'href': '{schema}'}]}


MEMBER_PROPERTIES = {
    'member_id': {'type': 'string', 'description': 'Project the image is shared with.'},
    'image_id': {'type': 'string', 'pattern': UUID_PATTERN, 'description': 'The image.'},
    'status': {'type': 'string', 'enum': list(MEMBER_STATUSES),
               'description': 'Whether the member accepted the image.'},
    'created_at': {'type': 'string', 'description': 'When the image was shared.'},
    'updated_at': {'type': 'string', 'description': 'When the membership last changed.'},
    'schema': {'type': 'string', 'readOnly': True},
}


def member_schema():
    return {'name': 'member', 'properties': copy.deepcopy(MEMBER_PROPERTIES)}


def members_schema():
    return {'name': 'members',
            'properties': {'members': {'type': 'array', 'items': member_schema()},
                           'schema': {'type': 'string'}},
            'links': [{'rel': 'schema', 'href': '{schema}'}]}


# request validation ------------------------------------------------------------------
def _writable(name):
    spec = {k: v for k, v in IMAGE_PROPERTIES[name].items() if k not in ('description',)}
    return spec


def _strict(name, **extra):
    return dict(_writable(name), **extra)


# Requests are checked harder than the published schema says: the id is a UUID matched
# whole (the published pattern ends in '$', which lets a trailing newline through), and
# text that clients print (names, tags, owners, properties) holds no control characters.
CREATE = {
    'type': 'object',
    'properties': dict({name: _writable(name) for name in CORE},
                       id=_strict('id', format='uuid'),
                       name=_strict('name', format='name'),
                       owner=_strict('owner', format='name'),
                       tags={'type': 'array', 'maxItems': 1000,
                             'items': {'type': 'string', 'minLength': 1, 'maxLength': 255,
                                       'format': 'name'}}),
    'propertyNames': {'minLength': 1, 'maxLength': 255, 'format': 'name'},
    'additionalProperties': {'type': 'string', 'maxLength': 65535, 'format': 'text'},
}

MEMBER_CREATE = {
    'type': 'object', 'required': ['member'],
    'properties': {'member': {'type': 'string', 'minLength': 1, 'maxLength': 255,
                              'format': 'name'}},
    'additionalProperties': False,
}

# Glance reads only 'status' and ignores the rest: openstacksdk (``openstack image set
# --accept``) sends the member's other attributes back with it.
MEMBER_UPDATE = {
    'type': 'object', 'required': ['status'],
    'properties': {'status': {'type': 'string', 'enum': list(MEMBER_STATUSES)}},
}

IMPORT = {
    'type': 'object', 'required': ['method'],
    'properties': {
        'method': {'type': 'object', 'required': ['name'],
                   'properties': {'name': {'type': 'string'},
                                  'uri': {'type': 'string'}}},
        'stores': {'type': 'array', 'minItems': 1,
                   'items': {'type': 'string', 'minLength': 1, 'maxLength': 255}},
        'all_stores': {'type': 'boolean'},
        'all_stores_must_succeed': {'type': 'boolean'},
    },
    'additionalProperties': False,
}
