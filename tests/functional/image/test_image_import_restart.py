"""glance-direct imports interrupted by a real crash (SIGKILL mid-copy) and a restart end
``active`` with whole, correct data, or cleanly failed (``queued``, nothing left over),
never half."""
import glob
import hashlib
import os
import signal
import time

import pytest

MiB = 1024 * 1024
OCTET = {'Content-Type': 'application/octet-stream'}


class Data:
    """``size`` bytes of generated (not repeated) data, streamed, with its digests."""

    def __init__(self, size):
        self.size = size
        block = bytes(range(256)) * 4096
        md5, sha = hashlib.md5(), hashlib.sha512()
        for chunk in self.chunks(block):
            md5.update(chunk)
            sha.update(chunk)
        self.block = block
        self.md5, self.sha = md5.hexdigest(), sha.hexdigest()

    def chunks(self, block=None):
        block = block or self.block
        for i in range(self.size // MiB):
            yield block[i % 256:] + block[:i % 256]


def _stage(api, data):
    image_id = api('POST', '/v2/images', json={'name': 'imp', 'disk_format': 'raw',
                                               'container_format': 'bare'}).json()['id']
    resp = api('PUT', '/v2/images/%s/stage' % image_id, data=data.chunks(), headers=OCTET,
               timeout=300)
    assert resp.status_code == 204, resp.text
    return image_id


def _import(api, image_id, stores):
    resp = api('POST', '/v2/images/%s/import' % image_id, json={
        'method': {'name': 'glance-direct'}, 'stores': stores})
    assert resp.status_code == 202, resp.text


def _kill_when(daemon, seen, timeout=60):
    """SIGKILL the daemon as soon as ``seen()`` is true (the copy is under way)."""
    deadline = time.monotonic() + timeout
    while not seen():
        assert time.monotonic() < deadline, 'the import never started writing'
        time.sleep(0.002)
    daemon.proc.send_signal(signal.SIGKILL)
    daemon.proc.wait(10)
    daemon.proc = None


def _settle(api, image_id, timeout=120):
    """The image once no import is running on it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = api('GET', '/v2/images/%s' % image_id).json()
        if shown['status'] not in ('importing', 'uploading', 'saving') and \
                not shown.get('os_glance_importing_to_stores'):
            return shown
        time.sleep(0.1)
    raise AssertionError('import of %s never ended: %s' % (image_id, shown))


def _download_sha(api, image_id):
    sha, total = hashlib.sha512(), 0
    with api('GET', '/v2/images/%s/file' % image_id, stream=True, timeout=300) as resp:
        assert resp.status_code == 200, resp.text
        for chunk in resp.iter_content(MiB):
            sha.update(chunk)
            total += len(chunk)
    return total, sha.hexdigest()


def _parts(daemon, image_id, store='file1'):
    return glob.glob(str(daemon.datadir(store) / ('.%s.*.part' % image_id)))


def _staging(daemon):
    path = daemon.dir / 'state' / 'image-staging'
    return sorted(os.listdir(path)) if path.exists() else []


@pytest.fixture
def daemon(image_daemon_factory):
    return image_daemon_factory(backends='file1:file,file2:file').start()


def test_crash_mid_import_resumes_to_active(daemon, image_api_for):
    api = image_api_for(daemon)
    data = Data(160 * MiB)
    image_id = _stage(api, data)
    _import(api, image_id, ['file1'])
    _kill_when(daemon, lambda: _parts(daemon, image_id))
    assert _parts(daemon, image_id)  # the crash left a partial copy
    daemon.start()
    shown = _settle(api, image_id)
    assert 'resuming interrupted import' in daemon.logtext()
    assert shown['status'] == 'active' and shown['stores'] == 'file1'
    assert shown['size'] == data.size and shown['checksum'] == data.md5
    assert shown['os_hash_value'] == data.sha
    assert shown['os_glance_failed_import'] == ''  # no store failed
    assert _download_sha(api, image_id) == (data.size, data.sha)
    assert os.listdir(daemon.datadir()) == [image_id]
    assert _staging(daemon) == []


def test_crash_mid_import_without_staged_data_fails_cleanly(daemon, image_api_for):
    api = image_api_for(daemon)
    data = Data(160 * MiB)
    image_id = _stage(api, data)
    _import(api, image_id, ['file1'])
    _kill_when(daemon, lambda: _parts(daemon, image_id))
    for name in _staging(daemon):  # the staged data is lost with the crash
        os.unlink(daemon.dir / 'state' / 'image-staging' / name)
    daemon.start()
    shown = _settle(api, image_id)
    assert shown['status'] == 'queued', shown
    assert shown['size'] is None and shown['checksum'] is None and not shown.get('stores')
    assert os.listdir(daemon.datadir()) == [] and _staging(daemon) == []
    assert api('GET', '/v2/images/%s/file' % image_id).status_code == 204
    # A failed import leaves an image that takes a new one.
    small = Data(2 * MiB)
    assert api('PUT', '/v2/images/%s/stage' % image_id, data=small.chunks(),
               headers=OCTET).status_code == 204
    _import(api, image_id, ['file1'])
    shown = _settle(api, image_id)
    assert shown['status'] == 'active' and shown['os_hash_value'] == small.sha


def test_crash_mid_import_to_objectstore_resumes(image_daemon_factory, image_api_for,
                                                 image_objectstore):
    store = image_objectstore
    daemon = image_daemon_factory(
        backends='file1:file,os1:objectstore',
        sections={'os1': store.store_section('glance-imp', large_mib=1, chunk_mib=1)}).start()
    api = image_api_for(daemon)
    data = Data(24 * MiB)
    image_id = _stage(api, data)
    _import(api, image_id, ['file1', 'os1'])

    def segments():
        return [n for n in store.listing('glance-imp_segments') or []
                if n.startswith(image_id + '/')]
    _kill_when(daemon, lambda: len(segments()) >= 2)
    before = {n.split('/')[1] for n in segments()}
    daemon.start()
    shown = _settle(api, image_id)
    assert shown['status'] == 'active', shown
    assert set(shown['stores'].split(',')) == {'file1', 'os1'}
    assert shown['os_hash_value'] == data.sha
    # The interrupted upload's segments are gone; the finished one has exactly its own.
    after = segments()
    assert len(after) == 24 and not before & {n.split('/')[1] for n in after}, after
    for name in os.listdir(daemon.datadir()):  # read it back from the object store alone
        os.unlink(daemon.datadir() / name)
    assert _download_sha(api, image_id) == (data.size, data.sha)
    assert _staging(daemon) == []
    assert api('DELETE', '/v2/images/%s' % image_id).status_code == 204
    assert segments() == [] and image_id not in (store.listing('glance-imp') or [])
