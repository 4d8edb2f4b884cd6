"""Volumes through the v3 API in-process: create (empty, from a snapshot, from a volume,
from an image), list/show, update, extend, metadata, delete, the files and targets left."""
import os
import urllib.parse


def test_version_discovery_without_token(cloud):
    code, body = cloud.call('GET', '/v3/', token='')
    assert code == 200
    assert body['versions'][0]['min_version'] == '3.0'
    assert body['versions'][0]['version'] == '3.71'
    assert cloud.call('GET', '/', token='')[0] == 300
    assert cloud.call('GET', '/volumes', token='')[0] == 401


def test_create_show_list_delete_volume(cloud):
    vol = cloud.volume(1, name='v1', metadata={'a': 'b'})
    assert vol['status'] == 'available' and vol['size'] == 1
    assert vol['volume_type'] == '__DEFAULT__' and vol['availability_zone'] == 'nova'
    path = cloud.driver.local_path(vol['id'])
    assert os.path.getsize(path) == 1024 ** 3
    listed = cloud.ok('GET', '/volumes')['volumes']
    assert [v['name'] for v in listed] == ['v1']
    detail = cloud.ok('GET', '/volumes/detail?name=v1')['volumes']
    assert detail[0]['metadata'] == {'a': 'b'}
    assert cloud.ok('GET', '/volumes/detail?metadata={"a":"c"}')['volumes'] == []
    cloud.ok('DELETE', '/volumes/%s' % vol['id'])
    cloud.wait('volume', vol['id'], ('deleted',))
    assert not os.path.exists(path)


def test_bad_inputs_are_4xx_naming_the_field(cloud):
    for body, word in (({'volume': {'size': 0}}, 'size'),
                       ({'volume': {'size': 'x'}}, 'size'),
                       ({'volume': {}}, 'size'),
                       ({'volume': {'size': 1, 'volume_type': 'nope'}}, 'nope'),
                       ({'volume': {'size': 1, 'availability_zone': 'mars'}},
                        'availability_zone'),
                       ({'volume': {'size': 1, 'snapshot_id': 'zz'}}, 'snapshot_id'),
                       ({'volume': {'size': 1, 'bogus': 1}}, 'bogus'),
                       ({'vol': {}}, 'volume')):
        code, fault = cloud.call('POST', '/volumes', body)
        assert code in (400, 404), (body, code, fault)
        key = next(iter(fault))
        assert key in ('badRequest', 'itemNotFound')
        assert word in fault[key]['message'], (body, fault)
    code, fault = cloud.call('GET', '/volumes/%s' % ('0' * 8 + '-0000-4000-8000-' + '0' * 12))
    assert code == 404 and 'itemNotFound' in fault
    assert cloud.call('POST', '/volumes', raw=b'{')[0] == 400
    # Nothing half-made: no rows, no files.
    assert cloud.ok('GET', '/volumes')['volumes'] == []


def test_snapshot_and_clone_hold_the_data(cloud):
    vol = cloud.volume(1)
    with open(cloud.driver.local_path(vol['id']), 'r+b') as f:
        f.seek(4096)
        f.write(b'payload')
    snap = cloud.ok('POST', '/snapshots', {'snapshot': {'volume_id': vol['id'],
                                                         'name': 's1'}})['snapshot']
    snap = cloud.wait('snapshot', snap['id'], ('available', 'error'))
    assert snap['status'] == 'available'
    from_snap = cloud.volume(2, snapshot_id=snap['id'])
    clone = cloud.volume(1, source_volid=vol['id'])
    for v in (from_snap, clone):
        assert v['status'] == 'available', v
        with open(cloud.driver.local_path(v['id']), 'rb') as f:
            f.seek(4096)
            assert f.read(7) == b'payload'
    assert from_snap['size'] == 2 and from_snap['snapshot_id'] == snap['id']
    # A volume with snapshots is refused without cascade, then goes with it.
    code, fault = cloud.call('DELETE', '/volumes/%s' % vol['id'])
    assert code == 400 and 'snapshot' in fault['badRequest']['message']
    cloud.ok('DELETE', '/volumes/%s?cascade=true' % vol['id'])
    cloud.wait('volume', vol['id'], ('deleted',))
    assert cloud.call('GET', '/snapshots/%s' % snap['id'])[0] == 404


def test_volume_from_image(cloud):
    data = b'\x01' * 1024 * 1024
    image_id = 'b0a6cf10-0000-4000-8000-000000000001'
    cloud.images.images[image_id] = data
    vol = cloud.volume(1, imageRef=image_id)
    assert vol['status'] == 'available' and vol['bootable'] == 'true'
    with open(cloud.driver.local_path(vol['id']), 'rb') as f:
        assert f.read(len(data)) == data


def test_volume_from_image_is_checked_before_anything_is_made(cloud):
    """The caller must be able to read an active image no larger than the volume (400
    at once, as Cinder answers; nothing is created)."""
    image_id = 'b0a6cf10-0000-4000-8000-000000000002'
    cloud.images.images[image_id] = b'\x01' * 1024
    cloud.images.min_disk[image_id] = 2
    before = len(cloud.ok('GET', '/volumes')['volumes'])

    def refused(**fields):
        code, fault = cloud.call('POST', '/volumes', {'volume': dict(size=1, **fields)})
        return code == 400 and fault
    assert 'min_disk' in str(refused(imageRef=image_id))
    assert 'Invalid image' in str(refused(imageRef='b0a6cf10-0000-4000-8000-0000000000ff'))
    cloud.images.min_disk[image_id] = 0
    cloud.images.status[image_id] = 'deactivated'
    assert 'not active' in str(refused(imageRef=image_id))
    assert len(cloud.ok('GET', '/volumes')['volumes']) == before
    cloud.images.status.pop(image_id)
    assert cloud.volume(1, imageRef=image_id)['status'] == 'available'


def test_update_extend_metadata(cloud):
    vol = cloud.volume(1)
    path = '/volumes/%s' % vol['id']
    cloud.ok('PUT', path, {'volume': {'name': 'renamed', 'description': 'd'}})
    cloud.ok('POST', path + '/metadata', {'metadata': {'k': 'v'}}, status=200)
    assert cloud.ok('GET', path + '/metadata/k') == {'meta': {'k': 'v'}}
    cloud.ok('DELETE', path + '/metadata/k', status=200)
    assert cloud.ok('GET', path)['volume']['metadata'] == {}
    cloud.ok('POST', path + '/action', {'os-extend': {'new_size': 2}})
    vol = cloud.wait('volume', vol['id'], ('available', 'error_extending'))
    assert vol['size'] == 2 and vol['name'] == 'renamed'
    assert os.path.getsize(cloud.driver.local_path(vol['id'])) == 2 * 1024 ** 3
    code, fault = cloud.call('POST', path + '/action', {'os-extend': {'new_size': 1}})
    assert code == 400 and 'new_size' in fault['badRequest']['message']
    code, fault = cloud.call('POST', path + '/action', {'os-nothing': {}})
    assert code == 400


def test_policy_projects_reader_admin(cloud):
    vol = cloud.volume(1)
    other = cloud.token('other')
    assert cloud.call('GET', '/volumes/%s' % vol['id'], token=other)[0] == 404
    assert cloud.ok('GET', '/volumes', token=other)['volumes'] == []
    reader = cloud.token('demo', roles=('reader',))
    assert cloud.call('GET', '/volumes/%s' % vol['id'], token=reader)[0] == 200
    assert cloud.call('POST', '/volumes', {'volume': {'size': 1}}, token=reader)[0] == 403
    assert cloud.call('DELETE', '/volumes/%s' % vol['id'], token=reader)[0] == 403
    admin = cloud.admin()
    found = cloud.ok('GET', '/volumes/detail?all_tenants=1', token=admin)['volumes']
    assert [v['id'] for v in found] == [vol['id']]
    assert found[0]['os-vol-host-attr:host'] == 'node1@file1#file1'
    assert cloud.call('GET', '/volumes?all_tenants=1', token=other)[0] == 403
    # The URL's project must be the token's.
    assert cloud.call('GET', '/v3/other/volumes')[0] == 400


def test_paging_and_sorting(cloud):
    for i in range(3):
        cloud.volume(1, name='p%d' % i)
    page = cloud.ok('GET', '/volumes?limit=2&sort=name:asc')
    assert [v['name'] for v in page['volumes']] == ['p0', 'p1']
    href = page['volumes_links'][0]['href']
    rest = cloud.ok('GET', href[href.index('/v3/'):])
    assert [v['name'] for v in rest['volumes']] == ['p2']
    assert cloud.ok('GET', '/volumes?with_count=true', version='3.45')['count'] == 3


def test_quota_and_admin_actions(cloud):
    admin = cloud.admin()
    cloud.ok('PUT', '/v3/admin/os-quota-sets/demo', {'quota_set': {'volumes': 1}},
             token=admin, status=200)
    vol = cloud.volume(1)
    code, fault = cloud.call('POST', '/volumes', {'volume': {'size': 1}})
    assert code == 413 and 'volumes' in fault['overLimit']['message']
    usage = cloud.ok('GET', '/os-quota-sets/demo?usage=true')['quota_set']
    assert usage['volumes'] == {'limit': 1, 'in_use': 1, 'reserved': 0, 'allocated': 0}
    limits = cloud.ok('GET', '/limits')['limits']['absolute']
    assert limits['maxTotalVolumes'] == 1 and limits['totalGigabytesUsed'] == 1
    path = '/v3/admin/volumes/%s/action' % vol['id']
    assert cloud.call('POST', '/volumes/%s/action' % vol['id'],
                      {'os-reset_status': {'status': 'error'}})[0] == 403
    cloud.ok('POST', path, {'os-reset_status': {'status': 'error'}}, token=admin)
    assert cloud.ok('GET', '/volumes/%s' % vol['id'])['volume']['status'] == 'error'
    cloud.ok('POST', path, {'os-force_delete': {}}, token=admin)
    cloud.wait('volume', vol['id'], ('deleted',))


def test_snapshot_metadata_and_extensions(cloud):
    vol = cloud.volume(1)
    snap = cloud.ok('POST', '/snapshots', {'snapshot': {'volume_id': vol['id'],
                                                         'metadata': None}})['snapshot']
    cloud.wait('snapshot', snap['id'], ('available',))
    path = '/snapshots/%s/metadata' % snap['id']
    cloud.ok('PUT', path, {'metadata': {'a': '1'}})
    cloud.ok('PUT', path + '/b', {'meta': {'b': '2'}})
    assert cloud.ok('GET', path)['metadata'] == {'a': '1', 'b': '2'}
    assert cloud.call('PUT', path + '/c', {'meta': {'b': '2'}})[0] == 400
    assert cloud.ok('GET', path + '/b') == {'meta': {'b': '2'}}
    listed = cloud.ok('GET', '/extensions')['extensions']
    assert 'os-hosts' in [e['alias'] for e in listed]


def test_upload_to_image(cloud):
    vol = cloud.volume(1)
    with open(cloud.driver.local_path(vol['id']), 'r+b') as f:
        f.write(b'image-bytes')
    act = '/volumes/%s/action' % vol['id']
    body = cloud.ok('POST', act, {'os-volume_upload_image': {
        'image_name': 'from-volume', 'disk_format': 'raw'}})['os-volume_upload_image']
    assert body['status'] == 'uploading' and body['image_name'] == 'from-volume'
    cloud.wait('volume', vol['id'], ('available',))
    size, head = cloud.images.uploaded[body['image_id']]
    assert size == 1024 ** 3 and head.startswith(b'image-bytes')
    assert cloud.images.created[body['image_id']]['owner'] == 'demo'
    code, fault = cloud.call('POST', act, {'os-volume_upload_image': {
        'image_name': 'x', 'disk_format': 'iso'}})
    assert code == 400 and 'disk_format' in fault['badRequest']['message']


def test_pages_link_onward_when_full_and_metadata_filter_spellings(cloud):
    """Cinder's paging: a full page always links to the next (even an empty one), and
    the metadata filter takes JSON or the Python-literal dict old clients send."""
    made = [cloud.ok('POST', '/volumes', {'volume': {'size': 1, 'metadata': {'k': str(i)}}}
                     )['volume']['id'] for i in range(2)]
    for ident in made:
        cloud.wait('volume', ident, ('available',))
    seen, path = [], '/volumes?limit=1&sort=id:asc'
    for _ in range(3):
        page = cloud.ok('GET', path)
        seen += [v['id'] for v in page['volumes']]
        nexts = [link['href'] for link in page.get('volumes_links', [])
                 if link['rel'] == 'next']
        if not nexts:
            break
        path = '/volumes?' + nexts[0].split('?', 1)[1]
    assert sorted(seen) == sorted(made) and not nexts and page['volumes'] == []
    for spelling in ('{"k": "1"}', "{'k': '1'}"):
        found = cloud.ok('GET', '/volumes?metadata=' + urllib.parse.quote(spelling))
        assert [v['id'] for v in found['volumes']] == [made[1]]
    for bad in ('[1]', "{'k': __import__('os')}", '{', "{'k': 1}"):
        code, _ = cloud.call('GET', '/volumes?metadata=' + urllib.parse.quote(bad))
        assert code == 400, bad


def test_volume_summary(cloud):
    cloud.volume(1, metadata={'k': 'a'})
    cloud.volume(2, metadata={'k': 'b', 'j': 'a'})
    assert cloud.call('GET', '/volumes/summary', version='3.11')[0] == 404
    old = cloud.ok('GET', '/volumes/summary', version='3.12')['volume-summary']
    assert old == {'total_size': 3, 'total_count': 2}
    new = cloud.ok('GET', '/volumes/summary', version='3.36')['volume-summary']
    assert sorted(new['metadata']['k']) == ['a', 'b'] and new['metadata']['j'] == ['a']
    other = cloud.ok('GET', '/volumes/summary', version='3.36', token=cloud.token('other'))
    assert other['volume-summary'] == {'total_size': 0, 'total_count': 0, 'metadata': {}}
