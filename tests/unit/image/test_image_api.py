"""Unit tests of the image API's metadata calls: create, show, list, patch, delete, tags."""
import pytest

PATCH = 'application/openstack-images-v2.1-json-patch'


def test_versions_without_token(image_env):
    client, _engine = image_env
    resp = client.get('/', token=False)
    assert resp.status_int == 300
    ids = [v['id'] for v in resp.json['versions']]
    assert ids[0] == 'v2.16' and resp.json['versions'][0]['status'] == 'CURRENT'
    assert client.get('/versions', token=False).status_int == 200


def test_api_needs_a_token(image_env):
    client, _engine = image_env
    resp = client.get('/v2/images', token=False)
    assert resp.status_int == 401
    assert 'WWW-Authenticate' in resp.headers


def test_create_show_and_defaults(image_env):
    client, _engine = image_env
    resp = client.post('/v2/images', {'name': 'cirros', 'disk_format': 'qcow2',
                                      'container_format': 'bare', 'tags': ['b', 'a', 'a'],
                                      'os_distro': 'cirros', 'min_ram': 64})
    assert resp.status_int == 201, resp.text
    assert 'glance-direct' in resp.headers['OpenStack-image-import-methods']
    img = resp.json
    assert img['status'] == 'queued' and img['visibility'] == 'shared'
    assert img['owner'] == 'p-alice' and img['tags'] == ['a', 'b']
    assert img['os_distro'] == 'cirros' and img['min_ram'] == 64 and img['min_disk'] == 0
    assert img['self'] == '/v2/images/%s' % img['id']
    assert img['file'] == '/v2/images/%s/file' % img['id']
    assert img['schema'] == '/v2/schemas/image'
    assert img['size'] is None and img['checksum'] is None
    assert img['created_at'].endswith('Z')
    shown = client.get('/v2/images/%s' % img['id']).json
    assert shown == img


def test_create_with_id_and_duplicate(image_env):
    client, _engine = image_env
    image_id = '6c3d5b3e-5f0e-4ad6-9c55-0d3f2d7b7c11'
    assert client.create(id=image_id)['id'] == image_id
    resp = client.post('/v2/images', {'id': image_id})
    assert resp.status_int == 409 and 'already exists' in resp.msg


@pytest.mark.parametrize('body,status,words', [
    ({'status': 'active'}, 403, "Attribute 'status' is read-only"),
    ({'size': 3}, 403, "'size' is read-only"),
    ({'deleted': True}, 403, "'deleted' is reserved"),
    ({'os_glance_foo': 'x'}, 403, "'os_glance_foo' is reserved"),
    ({'disk_format': 'exe'}, 400, 'disk_format'),
    ({'container_format': 'zip'}, 400, 'container_format'),
    ({'visibility': 'everyone'}, 400, 'visibility'),
    ({'min_ram': -1}, 400, 'min_ram'),
    ({'protected': 'yes'}, 400, 'protected'),
    ({'name': 'x' * 256}, 400, 'name'),
    ({'id': 'not-a-uuid'}, 400, 'id'),
    ({'my_prop': 5}, 400, 'my_prop'),
    ({'tags': ['x' * 256]}, 400, 'tags'),
    ({'visibility': 'public'}, 403, 'publicize_image'),
    ({'owner': 'p-bob'}, 403, "owned by 'p-bob'"),
])
def test_create_rejects_bad_input(image_env, body, status, words):
    client, engine = image_env
    resp = client.post('/v2/images', body)
    assert resp.status_int == status, resp.text
    assert words in resp.msg
    assert resp.content_type == 'text/html'  # Glance's fault bodies
    assert client.get('/v2/images').json['images'] == []


def test_create_malformed_json(image_env):
    client, _engine = image_env
    resp = client.request('POST', '/v2/images', body=b'{nope',
                          headers={'Content-Type': 'application/json'})
    assert resp.status_int == 400 and 'Malformed JSON' in resp.msg


def test_reader_cannot_write(image_env):
    client, _engine = image_env
    reader = client.as_('p-alice', roles=('reader',))
    resp = reader.post('/v2/images', {'name': 'x'})
    assert resp.status_int == 403
    img = client.create(name='mine')
    assert reader.get('/v2/images/%s' % img['id']).status_int == 200
    resp = reader.patch('/v2/images/%s' % img['id'], [{'op': 'replace', 'path': '/name',
                                                       'value': 'y'}])
    assert resp.status_int == 403
    assert reader.delete('/v2/images/%s' % img['id']).status_int == 403


def test_admin_makes_public(image_env):
    client, _engine = image_env
    admin = client.as_('p-admin', roles=('admin', 'member', 'reader'))
    img = admin.create(name='pub', visibility='public')
    assert img['visibility'] == 'public'
    other = client.as_('p-bob')
    assert other.get('/v2/images/%s' % img['id']).status_int == 200
    names = [i['name'] for i in other.get('/v2/images').json['images']]
    assert names == ['pub']


def test_patch_core_custom_and_tags(image_env):
    client, _engine = image_env
    img = client.create(name='old', os_distro='ubuntu')
    resp = client.patch('/v2/images/%s' % img['id'], [
        {'op': 'replace', 'path': '/name', 'value': 'new'},
        {'op': 'add', 'path': '/hw_disk_bus', 'value': 'virtio'},
        {'op': 'replace', 'path': '/os_distro', 'value': 'debian'},
        {'op': 'add', 'path': '/tags', 'value': ['t1', 't2']},
        {'op': 'replace', 'path': '/min_disk', 'value': 2},
        {'op': 'replace', 'path': '/protected', 'value': True},
        {'op': 'replace', 'path': '/visibility', 'value': 'private'},
        {'op': 'add', 'path': '/a~1b', 'value': 'slash'},
    ])
    assert resp.status_int == 200, resp.text
    got = resp.json
    assert got['name'] == 'new' and got['hw_disk_bus'] == 'virtio'
    assert got['os_distro'] == 'debian' and got['tags'] == ['t1', 't2']
    assert got['min_disk'] == 2 and got['protected'] is True and got['a/b'] == 'slash'
    assert got['visibility'] == 'private'
    resp = client.patch('/v2/images/%s' % img['id'], [
        {'op': 'remove', 'path': '/hw_disk_bus'}, {'op': 'replace', 'path': '/protected',
                                                    'value': False}])
    assert resp.status_int == 200 and 'hw_disk_bus' not in resp.json
    # Glance's short form (the op as the key of the path), as tempest sends it
    resp = client.patch('/v2/images/%s' % img['id'], [
        {'replace': '/name', 'value': 'short'}, {'add': '/colour', 'value': 'red'},
        {'remove': '/os_distro'}])
    assert resp.status_int == 200, resp.text
    assert resp.json['name'] == 'short' and resp.json['colour'] == 'red'
    assert 'os_distro' not in resp.json


@pytest.mark.parametrize('changes,status,words', [
    ([{'op': 'replace', 'path': '/status', 'value': 'active'}], 403, "'status' is read-only"),
    ([{'op': 'replace', 'path': '/id', 'value': 'x'}], 403, "'id' is read-only"),
    ([{'op': 'add', 'path': '/deleted_at', 'value': 'x'}], 403, "'deleted_at' is reserved"),
    ([{'op': 'add', 'path': '/os_glance_x', 'value': 'x'}], 403, 'reserved'),
    ([{'op': 'add', 'path': '/locations/-', 'value': {}}], 400, 'exactly one attribute'),
    ([{'op': 'remove', 'path': '/name'}], 403, 'core attribute'),
    ([{'op': 'remove', 'path': '/nothere'}], 409, 'Property nothere does not exist'),
    ([{'op': 'replace', 'path': '/nothere', 'value': 'x'}], 409, 'does not exist'),
    ([{'op': 'move', 'path': '/name', 'value': 'x'}], 400, "'op' must be one of"),
    ([{'op': 'add', 'path': 'name', 'value': 'x'}], 400, 'JSON pointer'),
    ([{'op': 'add', 'path': '/name'}], 400, "needs a 'value'"),
    ([{'op': 'add', 'path': '/disk_format', 'value': 'floppy'}], 400, 'disk_format'),
    ([{'op': 'add', 'path': '/min_ram', 'value': 'lots'}], 400, 'min_ram'),
    ([{'op': 'add', 'path': '/custom', 'value': 7}], 400, 'custom'),
    ([{'op': 'replace', 'path': '/visibility', 'value': 'public'}], 403, 'publicize_image'),
    ({'op': 'add'}, 400, 'must be a list'),
    ([{'add': '/a', 'remove': '/b', 'value': 'x'}], 400, "'op' must be one of"),
])
def test_patch_rejects_bad_changes_atomically(image_env, changes, status, words):
    client, _engine = image_env
    img = client.create(name='keep', color='blue')
    body = changes
    if isinstance(changes, list):
        body = [{'op': 'replace', 'path': '/name', 'value': 'changed'}] + changes
    resp = client.patch('/v2/images/%s' % img['id'], body)
    assert resp.status_int == status, resp.text
    assert words in resp.msg
    after = client.get('/v2/images/%s' % img['id']).json
    assert after['name'] == 'keep' and after['color'] == 'blue'


def test_patch_needs_patch_media_type(image_env):
    client, _engine = image_env
    img = client.create()
    resp = client.request('PATCH', '/v2/images/%s' % img['id'], json_body=[])
    assert resp.status_int == 415 and 'openstack-images-v2.1-json-patch' in resp.msg


def test_formats_only_change_while_queued(image_env):
    client, _engine = image_env
    img = client.create()
    assert client.upload(img['id'], b'data').status_int == 204
    resp = client.patch('/v2/images/%s' % img['id'], [
        {'op': 'replace', 'path': '/disk_format', 'value': 'qcow2'}])
    assert resp.status_int == 403 and 'queued' in resp.msg


def test_foreign_images(image_env):
    client, _engine = image_env
    bob = client.as_('p-bob')
    private = bob.create(name='bobs', visibility='private')
    community = bob.create(name='comm', visibility='community')
    assert client.get('/v2/images/%s' % private['id']).status_int == 404
    assert client.delete('/v2/images/%s' % private['id']).status_int == 404
    assert client.get('/v2/images/%s' % community['id']).status_int == 200
    resp = client.patch('/v2/images/%s' % community['id'],
                        [{'op': 'replace', 'path': '/name', 'value': 'mine'}])
    assert resp.status_int == 403 and 'another project' in resp.msg
    assert client.delete('/v2/images/%s' % community['id']).status_int == 403
    assert client.upload(community['id'], b'x').status_int == 403


def test_protected_delete(image_env):
    client, _engine = image_env
    img = client.create(protected=True)
    resp = client.delete('/v2/images/%s' % img['id'])
    assert resp.status_int == 403 and 'protected' in resp.msg
    client.patch('/v2/images/%s' % img['id'],
                 [{'op': 'replace', 'path': '/protected', 'value': False}])
    assert client.delete('/v2/images/%s' % img['id']).status_int == 204
    assert client.get('/v2/images/%s' % img['id']).status_int == 404
    assert client.delete('/v2/images/%s' % img['id']).status_int == 404


def test_tags(image_env):
    client, _engine = image_env
    img = client.create()
    path = '/v2/images/%s/tags/' % img['id']
    assert client.put(path + 'fast').status_int == 204
    assert client.put(path + 'fast').status_int == 204
    assert client.put(path + 'small').status_int == 204
    assert client.get('/v2/images/%s' % img['id']).json['tags'] == ['fast', 'small']
    assert client.delete(path + 'fast').status_int == 204
    resp = client.delete(path + 'fast')
    assert resp.status_int == 404 and 'fast' in resp.msg
    assert client.put(path + 'x' * 256).status_int == 400


def test_quotas_on_tags_and_properties(image_env_with):
    client, _engine = image_env_with(image_tag_quota=2, image_property_quota=2)
    img = client.create(tags=['a', 'b'])
    resp = client.put('/v2/images/%s/tags/c' % img['id'])
    assert resp.status_int == 413
    resp = client.patch('/v2/images/%s' % img['id'], [
        {'op': 'add', 'path': '/p%d' % i, 'value': 'v'} for i in range(3)])
    assert resp.status_int == 413 and 'properties' in resp.msg


def test_deactivate_reactivate(image_env):
    client, _engine = image_env
    admin = client.as_('p-admin', roles=('admin', 'member', 'reader'))
    img = client.create()
    path = '/v2/images/%s/actions/' % img['id']
    resp = admin.post(path + 'deactivate')
    assert resp.status_int == 403 and 'queued' in resp.msg
    client.upload(img['id'], b'hello')
    reader = client.as_(client.project, roles=('reader',))
    assert reader.post(path + 'deactivate').status_int == 403
    assert admin.post(path + 'deactivate').status_int == 204
    assert client.get('/v2/images/%s' % img['id']).json['status'] == 'deactivated'
    resp = client.get('/v2/images/%s/file' % img['id'])
    assert resp.status_int == 403 and 'deactivated' in resp.msg
    assert admin.get('/v2/images/%s/file' % img['id']).body == b'hello'
    assert admin.post(path + 'reactivate').status_int == 204
    assert client.get('/v2/images/%s/file' % img['id']).body == b'hello'
    # the owner (a member of the owning project) may do both, as in Glance
    assert client.post(path + 'deactivate').status_int == 204
    assert client.post(path + 'reactivate').status_int == 204


def test_schemas(image_env):
    client, _engine = image_env
    image = client.get('/v2/schemas/image').json
    assert image['name'] == 'image' and image['additionalProperties'] == {'type': 'string'}
    assert 'qcow2' in image['properties']['disk_format']['enum']
    assert image['properties']['status']['readOnly'] is True
    assert client.get('/v2/schemas/images').json['properties']['images']['items']['name'] \
        == 'image'
    assert client.get('/v2/schemas/member').json['properties']['status']['enum'] == [
        'pending', 'accepted', 'rejected']
    assert client.get('/v2/schemas/members').json['name'] == 'members'


def test_method_not_allowed(image_env):
    client, _engine = image_env
    resp = client.request('PUT', '/v2/images')
    assert resp.status_int == 405 and 'POST' in resp.headers['Allow']
