"""JSON schemas of identity request bodies (lengths as the Identity API reference has them)."""
from common import validation

_NAME64 = validation.name(64)
_NAME255 = validation.name(255)
_ID = validation.ID
_OPT_ID = validation.NULLABLE_ID
_DESC = validation.DESCRIPTION
_BOOL = validation.BOOLEAN
_TAGS = {'type': 'array', 'maxItems': 80, 'uniqueItems': True,
         'items': {'type': 'string', 'minLength': 1, 'maxLength': 255, 'pattern': '^[^,/]*$'}}


def _wrap(key, props, required=(), additional=True):
    inner = {'type': 'object', 'properties': props, 'additionalProperties': additional}
    if required:
        inner['required'] = list(required)
    return {'type': 'object', 'properties': {key: inner}, 'required': [key],
            'additionalProperties': False}


domain_create = _wrap('domain', {'name': _NAME64, 'description': _DESC, 'enabled': _BOOL,
                                 'tags': _TAGS, 'explicit_domain_id': _ID}, ['name'])
domain_update = _wrap('domain', {'name': _NAME64, 'description': _DESC, 'enabled': _BOOL,
                                 'tags': _TAGS}, None)
domain_update['properties']['domain']['minProperties'] = 1

project_create = _wrap('project', {'name': _NAME64, 'description': _DESC, 'enabled': _BOOL,
                                   'domain_id': _OPT_ID, 'parent_id': _OPT_ID, 'tags': _TAGS,
                                   'is_domain': _BOOL},
                       ['name'])
project_update = _wrap('project', {'name': _NAME64, 'description': _DESC, 'enabled': _BOOL,
                                   'domain_id': _OPT_ID, 'parent_id': _OPT_ID, 'tags': _TAGS},
                       None)
project_update['properties']['project']['minProperties'] = 1

_PASSWORD = {'type': ['string', 'null'], 'minLength': 1, 'maxLength': 4096}
user_create = _wrap('user', {'name': _NAME255, 'domain_id': _OPT_ID, 'password': _PASSWORD,
                             'enabled': _BOOL, 'default_project_id': _OPT_ID,
                             'description': _DESC,
                             'email': {'type': ['string', 'null'], 'maxLength': 255},
                             'options': {'type': 'object'}}, ['name'])
user_update = _wrap('user', {'name': _NAME255, 'domain_id': _OPT_ID, 'password': _PASSWORD,
                             'enabled': _BOOL, 'default_project_id': _OPT_ID,
                             'description': _DESC,
                             'email': {'type': ['string', 'null'], 'maxLength': 255},
                             'options': {'type': 'object'}}, None)
user_update['properties']['user']['minProperties'] = 1
password_change = _wrap('user', {'password': {'type': 'string', 'minLength': 1,
                                              'maxLength': 4096},
                                 'original_password': {'type': 'string', 'maxLength': 4096}},
                        ['password', 'original_password'], additional=False)

group_create = _wrap('group', {'name': _NAME64, 'domain_id': _OPT_ID, 'description': _DESC},
                     ['name'])
group_update = _wrap('group', {'name': _NAME64, 'domain_id': _OPT_ID, 'description': _DESC},
                     None)
group_update['properties']['group']['minProperties'] = 1

role_create = _wrap('role', {'name': _NAME255, 'domain_id': _OPT_ID, 'description': _DESC,
                             'options': {'type': 'object'}}, ['name'])
role_update = _wrap('role', {'name': _NAME255, 'domain_id': _OPT_ID, 'description': _DESC,
                             'options': {'type': 'object'}}, None)
role_update['properties']['role']['minProperties'] = 1

region_create = _wrap('region', {'id': {'type': 'string', 'minLength': 1, 'maxLength': 255},
                                 'description': {'type': ['string', 'null'], 'maxLength': 255},
                                 'parent_region_id': {'type': ['string', 'null'],
                                                      'maxLength': 255}}, [])
region_update = _wrap('region', {'description': {'type': ['string', 'null'], 'maxLength': 255},
                                 'parent_region_id': {'type': ['string', 'null'],
                                                      'maxLength': 255}}, None)

service_create = _wrap('service', {'type': {'type': 'string', 'minLength': 1, 'maxLength': 255},
                                   'name': {'type': ['string', 'null'], 'maxLength': 255},
                                   'description': _DESC, 'enabled': _BOOL}, ['type'])
service_update = _wrap('service', {'type': {'type': 'string', 'minLength': 1, 'maxLength': 255},
                                   'name': {'type': ['string', 'null'], 'maxLength': 255},
                                   'description': _DESC, 'enabled': _BOOL}, None)

_INTERFACE = {'type': 'string', 'enum': ['public', 'internal', 'admin']}
_URL = {'type': 'string', 'minLength': 1, 'maxLength': 2048,
        'pattern': '^[a-zA-Z0-9+.-]+://'}
endpoint_create = _wrap('endpoint', {'service_id': _ID, 'interface': _INTERFACE, 'url': _URL,
                                     'region_id': {'type': ['string', 'null'], 'maxLength': 255},
                                     'region': {'type': ['string', 'null'], 'maxLength': 255},
                                     'enabled': _BOOL},
                        ['service_id', 'interface', 'url'])
endpoint_update = _wrap('endpoint', {'service_id': _ID, 'interface': _INTERFACE, 'url': _URL,
                                     'region_id': {'type': ['string', 'null'], 'maxLength': 255},
                                     'region': {'type': ['string', 'null'], 'maxLength': 255},
                                     'enabled': _BOOL}, None)

credential_create = _wrap('credential', {'user_id': _ID, 'project_id': _OPT_ID,
                                         'type': {'type': 'string', 'minLength': 1,
                                                  'maxLength': 255},
                                         'blob': {'type': 'string', 'minLength': 1,
                                                  'maxLength': 65535},
                                         'id': _ID}, ['user_id', 'type', 'blob'])
credential_update = _wrap('credential', {'user_id': _ID, 'project_id': _OPT_ID,
                                         'type': {'type': 'string', 'minLength': 1,
                                                  'maxLength': 255},
                                         'blob': {'type': 'string', 'minLength': 1,
                                                  'maxLength': 65535}}, None)
ec2_create = {'type': 'object', 'properties': {'tenant_id': _ID, 'project_id': _ID},
              'additionalProperties': True}

_ROLE_REF = {'type': 'object', 'properties': {'id': _ID, 'name': _NAME255,
                                              'domain_id': _OPT_ID},
             'minProperties': 1}
app_cred_create = _wrap('application_credential', {
    'name': _NAME255, 'description': _DESC,
    'secret': {'type': ['string', 'null'], 'minLength': 1, 'maxLength': 4096},
    'expires_at': {'type': ['string', 'null']}, 'roles': {'type': 'array', 'items': _ROLE_REF},
    'unrestricted': {'type': ['boolean', 'null']},
    'access_rules': {'type': 'array', 'maxItems': 0}}, ['name'], additional=False)

_AUTH_METHODS = {'type': 'array', 'minItems': 1, 'items': {'type': 'string', 'maxLength': 64}}
# Ids and names in an auth request are strings (they reach queries as they are).
_AUTH_TEXT = {'type': ['string', 'null'], 'maxLength': 255}
_AUTH_DOMAIN = {'type': 'object', 'properties': {'id': _AUTH_TEXT, 'name': _AUTH_TEXT}}
_AUTH_REF = {'type': 'object', 'properties': {'id': _AUTH_TEXT, 'name': _AUTH_TEXT,
                                              'domain': _AUTH_DOMAIN}}
auth_request = {
    'type': 'object', 'required': ['auth'],
    'properties': {'auth': {
        'type': 'object', 'required': ['identity'],
        'properties': {
            'identity': {'type': 'object', 'required': ['methods'],
                         'properties': {'methods': _AUTH_METHODS,
                                        'password': {'type': 'object', 'properties': {
                                            'user': _AUTH_REF}},
                                        'token': {'type': 'object'},
                                        'oauth1': {'type': 'object'},
                                        'application_credential': {
                                            'type': 'object', 'properties': {
                                                'id': _AUTH_TEXT, 'name': _AUTH_TEXT,
                                                'user': _AUTH_REF}}}},
            'scope': {'type': ['object', 'string'], 'properties': {
                'project': _AUTH_REF, 'domain': _AUTH_DOMAIN}},
        }}},
}

s3_request = {'type': 'object', 'required': ['credentials'], 'properties': {'credentials': {
    'type': 'object', 'required': ['access', 'token', 'signature'],
    'properties': {'access': {'type': 'string', 'minLength': 1, 'maxLength': 255},
                   'token': {'type': 'string', 'minLength': 1, 'maxLength': 65535},
                   'signature': {'type': 'string', 'minLength': 1, 'maxLength': 1024},
                   # optional: lets a presigned SigV4 request last until its signed expiry
                   'canonical_request': {'type': 'string', 'maxLength': 65535}}}}}

_POLICY_TYPE = {'type': 'string', 'minLength': 1, 'maxLength': 255}
_POLICY_BLOB = {'type': 'string', 'maxLength': 65535}
policy_create = _wrap('policy', {'type': _POLICY_TYPE, 'blob': _POLICY_BLOB}, ['type', 'blob'])
policy_update = _wrap('policy', {'type': _POLICY_TYPE, 'blob': _POLICY_BLOB}, None)
policy_update['properties']['policy']['minProperties'] = 1

_EP_FILTERS = {'type': 'object', 'additionalProperties': False, 'minProperties': 1,
               'properties': {'interface': _INTERFACE, 'service_id': _ID,
                              'region_id': {'type': 'string', 'minLength': 1,
                                            'maxLength': 255}}}
endpoint_group_create = _wrap('endpoint_group', {'name': _NAME255, 'description': _DESC,
                                                 'filters': _EP_FILTERS},
                              ['name', 'filters'], additional=False)
endpoint_group_update = _wrap('endpoint_group', {'name': _NAME255, 'description': _DESC,
                                                 'filters': _EP_FILTERS}, None,
                              additional=False)
endpoint_group_update['properties']['endpoint_group']['minProperties'] = 1

consumer_create = _wrap('consumer', {'description': _DESC}, None)
consumer_update = _wrap('consumer', {'description': _DESC}, None)
consumer_update['properties']['consumer']['minProperties'] = 1
for _schema in (consumer_create, consumer_update):  # the service makes the secret
    _schema['properties']['consumer']['not'] = {'required': ['secret']}
