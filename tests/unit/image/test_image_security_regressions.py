"""Regressions of issue 16's image findings.

Finding 12: an image ``id`` with a trailing newline was stored (the schema's pattern ends
in ``$``). Finding 13: ``Location`` and version links were built from the request's Host
header. Policy on update: the image as it would be after a PATCH is authorized too.
"""
import uuid

PATCH = 'application/openstack-images-v2.1-json-patch'
EVIL = {'Host': 'evil.example:666'}


def test_image_id_is_a_uuid_matched_whole(image_env):
    client, _engine = image_env
    good = str(uuid.uuid4())
    for bad in (good + '\n', good + '\n\n', ' ' + good, good[:-1] + 'g', good + 'x',
                good.replace('-', '')):
        resp = client.post('/v2/images', {'id': bad, 'disk_format': 'raw',
                                          'container_format': 'bare'})
        assert resp.status_int == 400, (bad, resp.status, resp.text)
        assert "field 'id'" in resp.msg
    assert client.get('/v2/images').json['images'] == []
    assert client.create(id=good)['id'] == good


def test_location_and_links_use_the_configured_endpoint_not_the_host_header(image_env_with):
    client, _engine = image_env_with(api__public_endpoint='https://images.example:9292/')
    resp = client.post('/v2/images', {'name': 'x', 'disk_format': 'raw',
                                      'container_format': 'bare'}, headers=EVIL)
    assert resp.status_int == 201
    assert resp.headers['Location'] == \
        'https://images.example:9292/v2/images/%s' % resp.json['id']
    versions = client.get('/versions', token=False, headers=EVIL).json['versions']
    assert {link['href'] for v in versions for link in v['links']} == {
        'https://images.example:9292/v2/'}


def test_without_an_endpoint_links_name_the_server_never_the_host_header(image_env):
    client, _engine = image_env
    resp = client.post('/v2/images', {'name': 'x', 'disk_format': 'raw',
                                      'container_format': 'bare'},
                       headers=dict(EVIL, **{'X-Forwarded-Host': 'evil.example'}))
    assert resp.status_int == 201
    # webob's blank requests reach "localhost:80", the server's own name here.
    assert resp.headers['Location'] == 'http://localhost/v2/images/%s' % resp.json['id']
    versions = client.get('/', token=False, headers=EVIL).json['versions']
    assert all('evil' not in link['href'] for v in versions for link in v['links'])


def test_the_image_after_an_update_is_authorized_too(image_env_with, tmp_path):
    # Even where an operator lets members change owners, a member cannot give its image
    # to another project (the image after the change would not be its to modify), nor
    # publish it under another owner.
    policy = tmp_path / 'policy.yaml'
    policy.write_text('"set_image_owner": "role:member"\n'
                      '"publicize_image": "role:member and project_id:%(owner)s"\n')
    client, _engine = image_env_with(oslo_policy__policy_file=str(policy))
    img = client.create(name='mine')
    for changes in ([{'op': 'replace', 'path': '/owner', 'value': 'p-bob'}],
                    [{'op': 'replace', 'path': '/owner', 'value': 'p-bob'},
                     {'op': 'replace', 'path': '/visibility', 'value': 'public'}]):
        resp = client.patch('/v2/images/%s' % img['id'], changes)
        assert resp.status_int == 403, (changes, resp.status, resp.text)
    shown = client.get('/v2/images/%s' % img['id']).json
    assert shown['owner'] == 'p-alice' and shown['visibility'] == 'shared'
    assert client.as_('p-bob').get('/v2/images/%s' % img['id']).status_int == 404
    # What the relaxed policy does allow still works: publishing one's own image.
    resp = client.patch('/v2/images/%s' % img['id'],
                        [{'op': 'replace', 'path': '/visibility', 'value': 'public'}])
    assert resp.status_int == 200 and resp.json['visibility'] == 'public'
