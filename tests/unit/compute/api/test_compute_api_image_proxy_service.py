"""The images proxy against the real image API (its paste app in process, SQLite, file
stores): the caller's token reaches it, its filters, JSON patches and errors come back in
Nova's form. Only the HTTP hop is replaced (by a WSGI call)."""
import os
import sys

import pytest

from common import config
from common.wsgi import server as wsgi_server
from compute import engine as engine_mod
from compute.api import state as state_mod
from image import conf as image_conf
from image.state import ImageState

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import proxy_fakes  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))))
V = '/v2.1'


@pytest.fixture
def iapi(api, compute_conf_obj, token_source, tmp_path):
    conf = config.ConfigOpts()
    image_conf.register(conf)
    stores = {'file1': 'file'}
    image_conf.register_backends(conf, stores)
    conf.set_override('enabled_backends', stores)
    conf.set_override('state_path', str(tmp_path / 'image'))
    conf.set_override('www_authenticate_uri', token_source.url, 'keystone_authtoken')
    conf.set_override('revocation_push', False, 'keystone_authtoken')
    conf.set_override('policy_file', os.path.join(ROOT, 'etc', 'image', 'policy.yaml'),
                      'oslo_policy')
    ImageState.get(conf).sync_schema()
    image_app = wsgi_server.load_paste_app(os.path.join(ROOT, 'etc', 'image', 'api-paste.ini'),
                                           __conf__=config.register_instance(conf))
    st = state_mod.get(compute_conf_obj)
    engine = engine_mod.Engine(compute_conf_obj, st.db, st.transport)
    engine._proxy_api = proxy_fakes.WsgiBackends({'image': image_app})
    st._engine = engine
    api.images = proxy_fakes.WsgiBound(image_app, api.default)        # the image API as the user calls it
    yield api
    ImageState.forget(conf)


def _image(api, **fields):
    body = dict({'name': 'img', 'disk_format': 'raw', 'container_format': 'bare'}, **fields)
    return api.images.request('POST', '/v2/images', body)


def test_images_proxy_over_the_image_api(iapi):
    image = _image(iapi, os_distro='cirros', min_ram=64)
    snap = _image(iapi, name='snap', instance_uuid='srv-1', image_type='snapshot')
    shown = iapi.ok('GET', V + '/images/%s' % image['id'])['image']
    assert shown['status'] == 'SAVING' and shown['progress'] == 25     # queued, no data
    assert shown['metadata'] == {'os_distro': 'cirros'} and shown['minRam'] == 64
    assert shown['created'].endswith('Z')
    listed = iapi.ok('GET', V + '/images/detail?server=srv-1')['images']
    assert [i['id'] for i in listed] == [snap['id']] and listed[0]['server']['id'] == 'srv-1'
    assert [i['id'] for i in iapi.ok('GET', V + '/images?type=snapshot')['images']] == [
        snap['id']]
    assert iapi.ok('GET', V + '/images?status=ACTIVE')['images'] == []
    since = iapi.ok('GET', V + '/images?changes-since=%s' % shown['updated'])['images']
    assert {i['id'] for i in since} == {image['id'], snap['id']}
    assert len(iapi.ok('GET', V + '/images?limit=1')['images']) == 1

    meta = V + '/images/%s/metadata' % image['id']
    assert iapi.ok('POST', meta, {'metadata': {'os_version': '1'}})['metadata'] == {
        'os_distro': 'cirros', 'os_version': '1'}
    assert iapi.ok('PUT', meta, {'metadata': {'architecture': 'x86_64'}})['metadata'] == {
        'architecture': 'x86_64'}
    assert iapi.ok('GET', meta)['metadata'] == {'architecture': 'x86_64'}
    assert iapi.ok('PUT', meta + '/arch', {'meta': {'arch': 'a'}}) == {'meta': {'arch': 'a'}}
    assert iapi.call('DELETE', meta + '/arch')[0] == 204
    assert iapi.call('GET', meta + '/arch')[0] == 404
    # what the image service refuses comes back as its status
    assert iapi.call('POST', meta, {'metadata': {'os_glance_x': '1'}})[0] == 403

    theirs = proxy_fakes.WsgiBound(iapi.images.app, iapi.other)
    other = theirs.request('POST', '/v2/images', {'name': 'theirs', 'disk_format': 'raw',
                                                  'container_format': 'bare'})
    assert iapi.call('GET', V + '/images/%s' % other['id'])[0] == 404
    assert iapi.call('DELETE', V + '/images/%s' % other['id'])[0] == 404
    assert iapi.call('DELETE', V + '/images/%s' % image['id'])[0] == 204
    assert iapi.call('GET', V + '/images/%s' % image['id'])[0] == 404
