"""Unit tests of image data: upload, download with ranges, formats, quotas, failures."""
import hashlib
import io
import os
import subprocess

import pytest
import webob


@pytest.fixture(scope='module')
def qcow2_bytes(tmp_path_factory):
    path = tmp_path_factory.mktemp('qcow2') / 'disk.qcow2'
    subprocess.run(['qemu-img', 'create', '-f', 'qcow2', str(path), '1G'], check=True,
                   capture_output=True, timeout=30)
    return path.read_bytes()


def _files(engine, store='file1'):
    datadir = engine.stores.get(store).datadir
    return sorted(os.listdir(datadir)) if os.path.isdir(datadir) else []


def test_upload_download_hashes(image_env):
    client, engine = image_env
    data = os.urandom(300 * 1024 + 7)
    img = client.create(name='blob')
    assert client.upload(img['id'], data).status_int == 204
    got = client.get('/v2/images/%s' % img['id']).json
    assert got['status'] == 'active' and got['size'] == len(data)
    assert got['virtual_size'] == len(data)
    assert got['checksum'] == hashlib.md5(data).hexdigest()
    assert got['os_hash_algo'] == 'sha512'
    assert got['os_hash_value'] == hashlib.sha512(data).hexdigest()
    assert got['stores'] == 'file1' and 'locations' not in got
    resp = client.get('/v2/images/%s/file' % img['id'])
    assert resp.status_int == 200 and resp.body == data
    assert resp.headers['Content-MD5'] == got['checksum']
    assert resp.content_type == 'application/octet-stream'
    assert _files(engine) == [img['id']]


def test_ranges(image_env):
    client, _engine = image_env
    data = bytes(range(256)) * 40
    img = client.create()
    client.upload(img['id'], data)
    path = '/v2/images/%s/file' % img['id']
    resp = client.get(path, headers={'Range': 'bytes=10-19'})
    assert resp.status_int == 206 and resp.body == data[10:20]
    assert resp.headers['Content-Range'] == 'bytes 10-19/%d' % len(data)
    assert client.get(path, headers={'Range': 'bytes=-5'}).body == data[-5:]
    assert client.get(path, headers={'Range': 'bytes=10000-'}).body == data[10000:]
    for bad in ('bytes=20000-', 'bytes=5-2', 'bytes=0-1,4-5', 'items=0-3'):
        resp = client.get(path, headers={'Range': bad})
        assert resp.status_int == 416, bad
        assert resp.headers['Content-Range'] == 'bytes */%d' % len(data)


def test_download_without_data_is_204(image_env):
    client, _engine = image_env
    img = client.create()
    assert client.get('/v2/images/%s/file' % img['id']).status_int == 204


def test_upload_twice_conflicts(image_env):
    client, _engine = image_env
    img = client.create()
    client.upload(img['id'], b'one')
    resp = client.upload(img['id'], b'two')
    assert resp.status_int == 409 and 'active' in resp.msg


def test_upload_needs_formats_and_octet_stream(image_env):
    client, _engine = image_env
    img = client.create(disk_format=None, container_format=None)
    resp = client.upload(img['id'], b'x')
    assert resp.status_int == 400 and 'disk_format and container_format' in resp.msg
    img = client.create()
    resp = client.upload(img['id'], b'x', headers={'Content-Type': 'text/plain'})
    assert resp.status_int == 415


def test_qcow2_sniffed_and_virtual_size(image_env, qcow2_bytes):
    client, _engine = image_env
    img = client.create(disk_format='qcow2')
    assert client.upload(img['id'], qcow2_bytes).status_int == 204
    got = client.get('/v2/images/%s' % img['id']).json
    assert got['virtual_size'] == 1024 ** 3 and got['size'] == len(qcow2_bytes)


@pytest.mark.parametrize('declared,data_kind', [('qcow2', 'raw'), ('raw', 'qcow2'),
                                                ('vmdk', 'raw'), ('iso', 'raw')])
def test_format_mismatch_keeps_image_queued(image_env, qcow2_bytes, declared, data_kind):
    client, engine = image_env
    data = qcow2_bytes if data_kind == 'qcow2' else os.urandom(100 * 1024)
    img = client.create(disk_format=declared)
    resp = client.upload(img['id'], data)
    assert resp.status_int == 400 and 'format' in resp.msg
    assert client.get('/v2/images/%s' % img['id']).json['status'] == 'queued'
    assert _files(engine) == []


def test_small_upload_mismatch_found_at_end(image_env):
    client, engine = image_env
    img = client.create(disk_format='qcow2')
    resp = client.upload(img['id'], b'tiny')
    assert resp.status_int == 400 and 'qcow2' in resp.msg
    assert _files(engine) == []


def test_quota_exceeded_while_streaming(image_env_with):
    client, engine = image_env_with(user_storage_quota=1000)
    first = client.create()
    assert client.upload(first['id'], b'a' * 600).status_int == 204
    second = client.create()
    resp = client.upload(second['id'], b'b' * 600)
    assert resp.status_int == 413 and 'quota' in resp.msg
    assert client.get('/v2/images/%s' % second['id']).json['status'] == 'queued'
    assert _files(engine) == [first['id']]
    # Chunked (no Content-Length): caught while streaming, partial data removed.
    req = webob.Request.blank('/v2/images/%s/file' % second['id'], method='PUT', headers={
        'X-Auth-Token': client.token, 'Content-Type': 'application/octet-stream',
        'Transfer-Encoding': 'chunked'})
    req.environ['wsgi.input'] = io.BytesIO(b'c' * 5000)
    resp = req.get_response(client.app)
    assert resp.status_int == 413
    assert _files(engine) == [first['id']]
    # Another project has its own quota.
    bob = client.as_('p-bob')
    img = bob.create()
    assert bob.upload(img['id'], b'b' * 600).status_int == 204


class _Dropping(io.RawIOBase):
    """A request body whose client vanishes after ``after`` bytes."""

    def __init__(self, after):
        self.left = after

    def readable(self):
        return True

    def read(self, n=-1):
        if self.left <= 0:
            raise OSError('connection reset by peer')
        n = min(n if n > 0 else self.left, self.left)
        self.left -= n
        return b'z' * n


@pytest.mark.parametrize('chunked', [True, False])
def test_client_disconnect_leaves_queued_and_no_data(image_env, chunked):
    client, engine = image_env
    img = client.create()
    headers = {'X-Auth-Token': client.token, 'Content-Type': 'application/octet-stream'}
    if chunked:
        headers['Transfer-Encoding'] = 'chunked'
    req = webob.Request.blank('/v2/images/%s/file' % img['id'], method='PUT', headers=headers)
    req.environ['wsgi.input'] = _Dropping(200000) if chunked else io.BytesIO(b'z' * 1000)
    if not chunked:
        req.environ['CONTENT_LENGTH'] = '5000'  # promised more than it sends
    resp = req.get_response(client.app)
    assert resp.status_int == 400 and 'incomplete' in resp.text
    assert client.get('/v2/images/%s' % img['id']).json['status'] == 'queued'
    assert _files(engine) == []
    assert os.listdir(engine.stores.get('file1').datadir) == []


def test_store_failure_kills_image(image_env, monkeypatch):
    client, engine = image_env
    from image.stores import base

    def broken(image_id, chunks, size_hint=None):
        raise base.StoreError('disk on fire')
    monkeypatch.setattr(engine.stores.get('file1'), 'add', broken)
    img = client.create()
    resp = client.upload(img['id'], b'data')
    assert resp.status_int == 503 and 'disk on fire' in resp.msg
    assert client.get('/v2/images/%s' % img['id']).json['status'] == 'killed'


def test_pick_store_by_header_and_delete_removes_data(image_env):
    client, engine = image_env
    img = client.create()
    resp = client.upload(img['id'], b'abc', headers={'X-Image-Meta-Store': 'file2'})
    assert resp.status_int == 204
    assert client.get('/v2/images/%s' % img['id']).json['stores'] == 'file2'
    assert _files(engine, 'file2') == [img['id']] and _files(engine, 'file1') == []
    bad = client.create()
    resp = client.upload(bad['id'], b'abc', headers={'X-Image-Meta-Store': 'nope'})
    assert resp.status_int == 400 and 'nope' in resp.msg
    assert client.delete('/v2/images/%s' % img['id']).status_int == 204
    assert _files(engine, 'file2') == []


def test_admin_sees_locations(image_env):
    client, engine = image_env
    admin = client.as_('p-admin', roles=('admin', 'member', 'reader'))
    img = client.create()
    client.upload(img['id'], b'abc')
    got = admin.get('/v2/images/%s' % img['id']).json
    assert got['locations'][0]['metadata'] == {'store': 'file1'}
    assert got['locations'][0]['url'].startswith('file://')


def test_info_stores_and_import_methods(image_env):
    client, _engine = image_env
    stores = client.get('/v2/info/stores').json['stores']
    assert [s['id'] for s in stores] == ['file1', 'file2']
    assert stores[0].get('default') is True and 'default' not in stores[1]
    methods = client.get('/v2/info/import').json['import-methods']['value']
    assert methods == ['glance-direct', 'copy-image']


def _wait_import(engine):
    engine.imports.wait()


def test_glance_direct_import_to_two_stores(image_env, qcow2_bytes):
    client, engine = image_env
    img = client.create(disk_format='qcow2')
    path = '/v2/images/%s' % img['id']
    assert client.put(path + '/stage', body=qcow2_bytes).status_int == 204
    assert client.get(path).json['status'] == 'uploading'
    resp = client.post(path + '/import', {'method': {'name': 'glance-direct'},
                                          'stores': ['file1', 'file2']})
    assert resp.status_int == 202, resp.text
    _wait_import(engine)
    got = client.get(path).json
    assert got['status'] == 'active' and got['stores'] == 'file1,file2'
    assert got['virtual_size'] == 1024 ** 3
    assert got['checksum'] == hashlib.md5(qcow2_bytes).hexdigest()
    assert got['os_glance_importing_to_stores'] == ''  # left empty, as Glance does
    assert got['os_glance_failed_import'] == ''
    assert not os.path.exists(engine.staging_path(img['id']))
    assert client.get(path + '/file').body == qcow2_bytes


def test_import_errors(image_env):
    client, engine = image_env
    img = client.create()
    path = '/v2/images/%s/import' % img['id']
    resp = client.post(path, {'method': {'name': 'glance-direct'}})
    assert resp.status_int == 409 and 'stage it first' in resp.msg
    resp = client.post(path, {'method': {'name': 'web-download'}})
    assert resp.status_int == 400 and 'web-download' in resp.msg
    resp = client.post(path, {'method': {'name': 'glance-direct'}, 'stores': ['zzz']})
    assert resp.status_int == 400 and 'zzz' in resp.msg
    resp = client.post(path, {'method': 'glance-direct'})
    assert resp.status_int == 400 and 'method' in resp.msg


def test_glance_direct_bad_format_reverts(image_env):
    client, engine = image_env
    img = client.create(disk_format='qcow2')
    path = '/v2/images/%s' % img['id']
    client.put(path + '/stage', body=os.urandom(70000))
    assert client.post(path + '/import', {'method': {'name': 'glance-direct'}}).status_int \
        == 202
    _wait_import(engine)
    got = client.get(path).json
    assert got['status'] == 'queued' and 'stores' not in got
    assert _files(engine) == [] and not os.path.exists(engine.staging_path(img['id']))


def test_copy_image(image_env):
    client, engine = image_env
    admin = client.as_('p-admin', roles=('admin', 'member', 'reader'))
    img = client.create()
    client.upload(img['id'], b'payload' * 1000)
    path = '/v2/images/%s/import' % img['id']
    resp = client.post(path, {'method': {'name': 'copy-image'}, 'stores': ['file2']})
    assert resp.status_int == 403
    resp = admin.post(path, {'method': {'name': 'copy-image'}, 'all_stores': True})
    assert resp.status_int == 202
    _wait_import(engine)
    got = client.get('/v2/images/%s' % img['id']).json
    assert got['stores'] == 'file1,file2'
    assert _files(engine, 'file2') == [img['id']]
    resp = admin.post(path, {'method': {'name': 'copy-image'}, 'stores': ['file2']})
    assert resp.status_int == 409


def test_restart_resumes_interrupted_import(image_env):
    """A job left 'processing' by a crash (partial file in the target) completes on restart."""
    from image import imports as imports_mod
    from image.db import api as image_db
    client, engine = image_env
    img = client.create()
    path = '/v2/images/%s' % img['id']
    client.put(path + '/stage', body=b'staged-bytes' * 100)
    # Simulate the crash: the job row exists, the image is importing, a partial file sits
    # in the store, and nobody runs the job.
    with engine.db.session() as session:
        image_db.transition(session, img['id'], ['uploading'], 'importing')
        imports_mod.ImportRunner(engine).submit(session, img['id'], 'glance-direct',
                                                ['file1'], True)
    datadir = engine.stores.get('file1').datadir
    open(os.path.join(datadir, '.%s.dead.part' % img['id']), 'wb').write(b'partial')
    runner = imports_mod.ImportRunner(engine)
    runner.recover()
    runner.wait()
    got = client.get(path).json
    assert got['status'] == 'active' and got['size'] == 1200
    assert _files(engine) == [img['id']]


def test_copy_image_refused_while_copying_to_the_same_store(image_env):
    from image import imports as imports_mod
    from image.db import api as image_db
    client, engine = image_env
    admin = client.as_('p-admin', roles=('admin', 'member', 'reader'))
    img = client.create()
    client.upload(img['id'], b'payload' * 1000)
    with engine.db.session() as session:  # a copy to file2 is under way
        image_db.set_property(session, img['id'], imports_mod.IMPORTING, 'file2')
    path = '/v2/images/%s/import' % img['id']
    resp = admin.post(path, {'method': {'name': 'copy-image'}, 'stores': ['file2']})
    assert resp.status_int == 409 and 'already being imported' in resp.msg


def _crashed_import(client, engine, targets, all_must, finished=()):
    """An import a crash interrupted: job row, image importing, ``finished`` stores
    written and recorded, a partial file in the others, and the staged data gone."""
    from image import imports as imports_mod
    from image.db import api as image_db
    from image.db import models
    img = client.create()
    path = '/v2/images/%s' % img['id']
    client.put(path + '/stage', body=b'staged-bytes' * 100)
    with engine.db.session() as session:
        image_db.transition(session, img['id'], ['uploading'], 'importing', size=1200)
        imports_mod.ImportRunner(engine).submit(session, img['id'], 'glance-direct',
                                                targets, all_must)
        for name in finished:
            url, meta = engine.stores.get(name).add(img['id'], [b'staged-bytes' * 100])
            session.add(models.ImageLocation(image_id=img['id'], store=name, url=url,
                                             meta=meta))
    for name in targets:
        if name not in finished:
            datadir = engine.stores.get(name).datadir
            open(os.path.join(datadir, '.%s.dead.part' % img['id']), 'wb').write(b'part')
    engine.remove_staging(img['id'])
    runner = imports_mod.ImportRunner(engine)
    runner.recover()
    runner.wait()
    return client.get(path).json


def test_resumed_import_without_staged_data_reverts(image_env):
    client, engine = image_env
    got = _crashed_import(client, engine, ['file1', 'file2'], True, finished=['file1'])
    assert got['status'] == 'queued' and got['size'] is None and 'stores' not in got
    assert got['os_glance_failed_import'] == 'file2'
    assert got['os_glance_importing_to_stores'] == ''  # left empty, as Glance does
    assert _files(engine, 'file1') == [] and _files(engine, 'file2') == []


def test_resumed_import_without_staged_data_keeps_finished_stores(image_env):
    client, engine = image_env
    got = _crashed_import(client, engine, ['file1', 'file2'], False, finished=['file1'])
    assert got['status'] == 'active' and got['stores'] == 'file1'
    assert got['os_glance_failed_import'] == 'file2'
    assert got['os_glance_importing_to_stores'] == ''  # left empty, as Glance does
    assert len(_files(engine, 'file1')) == 1 and _files(engine, 'file2') == []


def test_restart_removes_unrecorded_whole_upload(image_env):
    """A crash after the data was whole but before it was recorded leaves no orphan."""
    from image import imports as imports_mod
    from image.db import api as image_db
    client, engine = image_env
    img = client.create()
    with engine.db.session() as session:
        image_db.transition(session, img['id'], ['queued'], 'saving')
    engine.stores.get('file1').add(img['id'], [b'whole'])
    imports_mod.ImportRunner(engine).recover()
    assert client.get('/v2/images/%s' % img['id']).json['status'] == 'queued'
    assert _files(engine) == []


def test_delete_one_store_copy(image_env):
    """DELETE /v2/stores/{store}/{image}: an admin removes one copy; the last one stays."""
    client, engine = image_env
    admin = client.as_('p-admin', roles=('admin', 'member', 'reader'))
    img = client.create()
    path = '/v2/images/%s' % img['id']
    client.put(path + '/stage', body=b'copy-me' * 1000)
    client.post(path + '/import', {'method': {'name': 'glance-direct'}, 'all_stores': True})
    engine.imports.wait()
    assert client.get(path).json['stores'] == 'file1,file2'
    assert client.delete('/v2/stores/file1/%s' % img['id']).status_int == 403
    assert admin.delete('/v2/stores/nowhere/%s' % img['id']).status_int == 404
    assert admin.delete('/v2/stores/file1/%s' % img['id']).status_int == 204
    assert client.get(path).json['stores'] == 'file2'
    assert _files(engine, 'file1') == [] and _files(engine, 'file2') == [img['id']]
    assert admin.delete('/v2/stores/file1/%s' % img['id']).status_int == 404
    resp = admin.delete('/v2/stores/file2/%s' % img['id'])
    assert resp.status_int == 403 and 'only copy' in resp.msg
    assert client.get(path + '/file').body == b'copy-me' * 1000
