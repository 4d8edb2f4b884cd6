"""JSON schemas of the metadata definitions API: request validation, and the documents
served at /v2/schemas/metadefs/* (``name`` is the document's title, as clients expect)."""
import copy

PROPERTY_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string', 'null']
VISIBILITIES = ['public', 'private']

_NAME80 = {'type': 'string', 'minLength': 1, 'maxLength': 80, 'format': 'name'}
_TEXT = {'type': 'string', 'maxLength': 500, 'format': 'text'}
_COUNT = {'type': 'integer', 'minimum': 0}
_READ_ONLY_TIME = {'type': 'string', 'format': 'date-time', 'readOnly': True}
_LINK = {'type': 'string', 'readOnly': True}

# One property definition: a restricted JSON schema describing a resource's property.
PROPERTY_DEFINITION = {
    'type': 'object',
    'required': ['title', 'type'],
    'additionalProperties': False,
    'properties': {
        'name': _NAME80,
        'title': {'type': 'string', 'minLength': 1, 'maxLength': 255, 'format': 'name'},
        'description': {'type': 'string', 'maxLength': 65535, 'format': 'text'},
        'type': {'type': 'string', 'enum': PROPERTY_TYPES},
        'operators': {'type': 'array', 'items': {'type': 'string', 'maxLength': 80}},
        'default': {},
        'readonly': {'type': 'boolean'},
        'enum': {'type': 'array', 'uniqueItems': True, 'maxItems': 1000},
        'minimum': {'type': 'number'},
        'maximum': {'type': 'number'},
        'minLength': _COUNT,
        'maxLength': _COUNT,
        'pattern': {'type': 'string', 'maxLength': 1024, 'format': 'regex'},
        'items': {
            'type': 'object', 'additionalProperties': False,
            'properties': {'type': {'type': 'string', 'enum': PROPERTY_TYPES},
                           'enum': {'type': 'array', 'uniqueItems': True,
                                    'maxItems': 1000}},
        },
        'uniqueItems': {'type': 'boolean'},
        'minItems': _COUNT,
        'maxItems': _COUNT,
        'additionalItems': {'type': 'boolean'},
    },
}

PROPERTY = dict(copy.deepcopy(PROPERTY_DEFINITION), name='property',
                required=['name', 'title', 'type'])

_PROPERTY_MAP = {'type': 'object', 'maxProperties': 1000,
                 'propertyNames': {'minLength': 1, 'maxLength': 80, 'format': 'name'},
                 'additionalProperties': PROPERTY_DEFINITION}

OBJECT = {
    'name': 'object',
    'type': 'object',
    'required': ['name'],
    'additionalProperties': False,
    'properties': {
        'name': _NAME80,
        'description': _TEXT,
        'required': {'type': 'array', 'uniqueItems': True,
                     'items': {'type': 'string', 'maxLength': 80}},
        'properties': _PROPERTY_MAP,
        'created_at': _READ_ONLY_TIME, 'updated_at': _READ_ONLY_TIME,
        'schema': _LINK, 'self': _LINK,
    },
}

TAG = {
    'name': 'tag',
    'type': 'object',
    'required': ['name'],
    'additionalProperties': False,
    'properties': {
        'name': {'type': 'string', 'minLength': 1, 'maxLength': 255, 'format': 'name'},
        'created_at': _READ_ONLY_TIME, 'updated_at': _READ_ONLY_TIME,
    },
}

RESOURCE_TYPE_ASSOCIATION = {
    'name': 'resource_type_association',
    'type': 'object',
    'required': ['name'],
    'additionalProperties': False,
    'properties': {
        'name': _NAME80,
        'prefix': {'type': 'string', 'maxLength': 80, 'format': 'name'},
        'properties_target': {'type': 'string', 'maxLength': 80, 'format': 'name'},
        'created_at': _READ_ONLY_TIME, 'updated_at': _READ_ONLY_TIME,
    },
}

NAMESPACE = {
    'name': 'namespace',
    'type': 'object',
    'required': ['namespace'],
    'additionalProperties': False,
    'properties': {
        'namespace': _NAME80,
        'display_name': {'type': 'string', 'maxLength': 80, 'format': 'name'},
        'description': _TEXT,
        'visibility': {'type': 'string', 'enum': VISIBILITIES},
        'protected': {'type': 'boolean'},
        'owner': {'type': 'string', 'maxLength': 255, 'format': 'name'},
        'resource_type_associations': {'type': 'array', 'maxItems': 100,
                                       'items': RESOURCE_TYPE_ASSOCIATION},
        'properties': _PROPERTY_MAP,
        'objects': {'type': 'array', 'maxItems': 1000, 'items': OBJECT},
        'tags': {'type': 'array', 'maxItems': 1000, 'items': TAG},
        'created_at': _READ_ONLY_TIME, 'updated_at': _READ_ONLY_TIME,
        'schema': _LINK, 'self': _LINK,
    },
}

TAGS = {
    'name': 'tags',
    'type': 'object',
    'required': ['tags'],
    'additionalProperties': False,
    'properties': {'tags': {'type': 'array', 'maxItems': 1000, 'items': TAG}},
}

TAG_UPDATE = {'type': 'object', 'required': ['name'], 'additionalProperties': True,
              'properties': {'name': TAG['properties']['name']}}


def _collection(name, member, item_key=None):
    return {'name': name, 'type': 'object',
            'properties': {item_key or name: {'type': 'array', 'items': member},
                           'first': _LINK, 'next': _LINK, 'schema': _LINK},
            'links': [{'rel': 'first', 'href': '{first}'}, {'rel': 'next', 'href': '{next}'},
                      {'rel': 'describedby', 'href': '{schema}'}]}


def document(name):
    """The schema document /v2/schemas/metadefs/<name> serves, or None."""
    docs = {
        'namespace': NAMESPACE, 'object': OBJECT, 'property': PROPERTY, 'tag': TAG,
        'resource_type': RESOURCE_TYPE_ASSOCIATION, 'tags': TAGS,
        'namespaces': _collection('namespaces', NAMESPACE),
        'objects': _collection('objects', OBJECT),
        'resource_types': _collection('resource_type_associations',
                                      RESOURCE_TYPE_ASSOCIATION),
        'properties': {'name': 'properties', 'type': 'object',
                       'properties': {'properties': _PROPERTY_MAP},
                       'links': [{'rel': 'describedby', 'href': '{schema}'}]},
    }
    found = docs.get(name)
    return copy.deepcopy(found) if found is not None else None


NAMES = ('namespace', 'namespaces', 'object', 'objects', 'property', 'properties', 'tag',
         'tags', 'resource_type', 'resource_types')
