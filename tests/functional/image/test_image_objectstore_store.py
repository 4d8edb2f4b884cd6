"""The objectstore image store against the real object store (storage cluster + proxy),
both behind the real identity: the store finds the object store in the catalog and keeps
the data in the account of the ``image`` service user."""
import hashlib
import os
import time

import pytest

KiB, MiB = 1024, 1024 * 1024
OCTET = {'Content-Type': 'application/octet-stream'}


@pytest.fixture
def os_daemon(image_daemon_factory, image_objectstore):
    """file1 (default) + os1 (SLO) + os2 (DLO), segmenting anything above 1 MiB."""
    return image_daemon_factory(
        backends='file1:file,os1:objectstore,os2:objectstore',
        sections={'os1': image_objectstore.store_section('glance', large_mib=1, chunk_mib=1),
                  'os2': image_objectstore.store_section('glance-dlo', large_mib=1,
                                                         chunk_mib=1, mode='dlo')}).start()


def _digests(data):
    return hashlib.md5(data).hexdigest(), hashlib.sha512(data).hexdigest()


def _chunks(data, size=256 * KiB):
    for i in range(0, len(data), size):
        yield data[i:i + size]


def _create(api, name):
    resp = api('POST', '/v2/images', json={'name': name, 'disk_format': 'raw',
                                           'container_format': 'bare'})
    assert resp.status_code == 201, resp.text
    return resp.json()['id']


def _download_check(api, image_id, data):
    resp = api('GET', '/v2/images/%s/file' % image_id)
    assert resp.status_code == 200, resp.text
    md5, sha = _digests(data)
    assert resp.headers['Content-MD5'] == md5
    assert _digests(resp.content) == (md5, sha)
    shown = api('GET', '/v2/images/%s' % image_id).json()
    assert shown['checksum'] == md5 and shown['os_hash_value'] == sha
    assert shown['size'] == len(data)
    part = api('GET', '/v2/images/%s/file' % image_id, headers={'Range': 'bytes=1000-1999'})
    assert part.status_code == 206 and part.content == data[1000:2000]
    return shown


def _of(names, image_id):
    return sorted(n for n in names or [] if n.startswith(image_id))


def test_roundtrip_small_and_segmented(os_daemon, image_api_for, image_objectstore):
    api = image_api_for(os_daemon)
    store = image_objectstore
    # Small (below the 1 MiB threshold, size known): one object.
    small = os.urandom(300 * KiB + 7)
    small_id = _create(api, 'small')
    resp = api('PUT', '/v2/images/%s/file' % small_id, data=small,
               headers=dict(OCTET, **{'X-Image-Meta-Store': 'os1'}))
    assert resp.status_code == 204, resp.text
    assert _download_check(api, small_id, small)['stores'] == 'os1'
    assert _of(store.listing('glance'), small_id) == [small_id]
    assert not _of(store.listing('glance_segments'), small_id)
    # Segmented, size known (SLO): 3.5 MiB in four 1 MiB segments.
    big = os.urandom(3 * MiB + 512 * KiB)
    big_id = _create(api, 'big')
    resp = api('PUT', '/v2/images/%s/file' % big_id, data=big,
               headers=dict(OCTET, **{'X-Image-Meta-Store': 'os1'}))
    assert resp.status_code == 204, resp.text
    _download_check(api, big_id, big)
    segments = _of(store.listing('glance_segments'), big_id)
    assert len(segments) == 4, segments
    assert _of(store.listing('glance'), big_id) == [big_id]
    # Segmented, size unknown (chunked), DLO.
    dlo_id = _create(api, 'dlo')
    resp = api('PUT', '/v2/images/%s/file' % dlo_id, data=_chunks(big),
               headers=dict(OCTET, **{'X-Image-Meta-Store': 'os2'}))
    assert resp.status_code == 204, resp.text
    assert _download_check(api, dlo_id, big)['stores'] == 'os2'
    assert len(_of(store.listing('glance-dlo_segments'), dlo_id)) == 4
    # Delete: the objects, manifests and segments are gone.
    for image_id in (small_id, big_id, dlo_id):
        assert api('DELETE', '/v2/images/%s' % image_id).status_code == 204
    for container in ('glance', 'glance_segments', 'glance-dlo', 'glance-dlo_segments'):
        left = [n for n in store.listing(container) or []
                if n.split('/')[0] in (small_id, big_id, dlo_id)]
        assert left == [], (container, left)


def _wait_stores(api, image_id, wanted, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = api('GET', '/v2/images/%s' % image_id).json()
        if set(shown['stores'].split(',')) >= wanted and \
                not shown.get('os_glance_importing_to_stores'):
            return shown
        assert not shown.get('os_glance_failed_import'), shown
        time.sleep(0.2)
    raise AssertionError('image %s never reached stores %s: %s' % (image_id, wanted, shown))


def test_copy_image_from_file_to_objectstore(os_daemon, image_api_for, image_objectstore):
    api = image_api_for(os_daemon)
    admin = image_api_for(os_daemon, 'p-admin', ('admin',))
    data = os.urandom(2 * MiB + 123)
    image_id = _create(api, 'copied')
    assert api('PUT', '/v2/images/%s/file' % image_id, data=data,
               headers=OCTET).status_code == 204
    assert api('GET', '/v2/images/%s' % image_id).json()['stores'] == 'file1'
    assert api('POST', '/v2/images/%s/import' % image_id, json={
        'method': {'name': 'copy-image'}, 'stores': ['os1']}).status_code == 403
    resp = admin('POST', '/v2/images/%s/import' % image_id, json={
        'method': {'name': 'copy-image'}, 'stores': ['os1']})
    assert resp.status_code == 202, resp.text
    _wait_stores(api, image_id, {'file1', 'os1'})
    assert len(_of(image_objectstore.listing('glance_segments'), image_id)) == 3
    # The copy alone serves the image once the file copy is gone.
    for name in os.listdir(os_daemon.datadir()):
        os.unlink(os_daemon.datadir() / name)
    _download_check(api, image_id, data)
    assert api('DELETE', '/v2/images/%s' % image_id).status_code == 204
    assert not _of(image_objectstore.listing('glance'), image_id)
    assert not _of(image_objectstore.listing('glance_segments'), image_id)
