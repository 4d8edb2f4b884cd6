"""Disk commands (qemu-img, mkfs) and the per-host image cache, on small files in tmp."""
import hashlib
import json
import os
import shutil
import subprocess
import time

import pytest

from compute.drivers import base
from compute.drivers.libvirt import disks
from compute.drivers.libvirt import imagecache

pytestmark = pytest.mark.skipif(shutil.which('qemu-img') is None, reason='needs qemu-img')
MiB = 1024 * 1024


def _qcow2(path, size='8M', backing=None):
    cmd = ['qemu-img', 'create', '-q', '-f', 'qcow2']
    if backing:
        cmd += ['-F', 'raw', '-b', backing]
    subprocess.run(cmd + [str(path), size], check=True)
    return path


def _meta(data, image_id='img-1', disk_format='qcow2', **kw):
    return base.ImageMeta(id=image_id, disk_format=disk_format, size=len(data),
                          checksum=hashlib.md5(data).hexdigest(), **kw)


class Fetcher:
    def __init__(self, data):
        self.data, self.calls = data, 0

    def __call__(self, image_id):
        self.calls += 1
        for i in range(0, len(self.data), 65536):
            yield self.data[i:i + 65536]


def test_overlay_grows_and_keeps_backing(tmp_path):
    base_img = _qcow2(tmp_path / 'base.qcow2')
    disks.create_overlay(str(base_img), 'qcow2', str(tmp_path / 'disk'), 64 * MiB)
    info = disks.info(str(tmp_path / 'disk'), 'qcow2')
    assert info['virtual-size'] == 64 * MiB
    assert info['full-backing-filename'] == str(base_img)
    assert info['backing-filename-format'] == 'qcow2'
    assert oct(os.stat(tmp_path / 'disk').st_mode & 0o777) == '0o600'
    disks.resize(str(tmp_path / 'disk'), 'qcow2', 128 * MiB)
    assert disks.virtual_size(str(tmp_path / 'disk'), 'qcow2') == 128 * MiB
    disks.convert(str(tmp_path / 'disk'), 'qcow2', str(tmp_path / 'flat'), 'qcow2')
    flat = disks.info(str(tmp_path / 'flat'), 'qcow2')
    assert 'backing-filename' not in flat and flat['virtual-size'] == 128 * MiB


def test_check_image_refuses_lies_and_backing_files(tmp_path):
    qcow = _qcow2(tmp_path / 'a.qcow2')
    disks.check_image(str(qcow), 'qcow2')
    with pytest.raises(base.ImageUnacceptable, match='claims disk_format raw'):
        disks.check_image(str(qcow), 'raw')
    raw = tmp_path / 'a.raw'
    raw.write_bytes(b'\0' * MiB)
    disks.check_image(str(raw), 'raw')
    with pytest.raises(base.ImageUnacceptable, match='claims disk_format qcow2'):
        disks.check_image(str(raw), 'qcow2')
    # A qcow2 "image" pointing at a host file must never become a backing chain.
    sneaky = _qcow2(tmp_path / 'sneaky.qcow2', backing='/etc/shadow')
    with pytest.raises(base.ImageUnacceptable, match='backing file'):
        disks.check_image(str(sneaky), 'qcow2')


def test_cache_downloads_once_and_verifies(tmp_path):
    data = _qcow2(tmp_path / 'src.qcow2').read_bytes()
    cache = imagecache.ImageCache(str(tmp_path / '_base'))
    fetch = Fetcher(data)
    path, fmt = cache.fetch(_meta(data), fetch)
    assert fmt == 'qcow2' and path.endswith('/img-1.qcow2')
    assert open(path, 'rb').read() == data
    again, _ = cache.fetch(_meta(data), fetch)
    assert again == path and fetch.calls == 1
    assert [n for n in os.listdir(tmp_path / '_base') if 'part' in n] == []


def test_cache_sha512_preferred_over_md5(tmp_path):
    data = _qcow2(tmp_path / 'src.qcow2').read_bytes()
    cache = imagecache.ImageCache(str(tmp_path / '_base'))
    meta = _meta(data, os_hash_algo='sha512', os_hash_value='0' * 128)
    with pytest.raises(base.ImageUnacceptable, match='checksum'):
        cache.fetch(meta, Fetcher(data))
    meta.os_hash_value = hashlib.sha512(data).hexdigest()
    meta.checksum = 'not-used'
    assert cache.fetch(meta, Fetcher(data))[1] == 'qcow2'


@pytest.mark.parametrize('change,needle', [
    (dict(checksum='0' * 32), 'checksum'),
    (dict(size=1), 'bytes'),
    (dict(checksum=None), 'no checksum'),
    (dict(disk_format='raw'), 'holds qcow2'),
    (dict(disk_format='iso'), 'cannot boot'),
    (dict(os_hash_algo='crc32', os_hash_value='00'), 'not supported'),
])
def test_cache_refuses_bad_downloads_and_leaves_nothing(tmp_path, change, needle):
    data = _qcow2(tmp_path / 'src.qcow2').read_bytes()
    cache = imagecache.ImageCache(str(tmp_path / '_base'))
    meta = _meta(data)
    for key, value in change.items():
        setattr(meta, key, value)
    with pytest.raises(base.ImageUnacceptable, match=needle):
        cache.fetch(meta, Fetcher(data))
    assert [n for n in os.listdir(tmp_path / '_base') if not n.endswith('.lock')] == []


def test_cache_converts_vmdk_to_qcow2(tmp_path):
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'vmdk', str(tmp_path / 's.vmdk'), '4M'],
                   check=True)
    data = (tmp_path / 's.vmdk').read_bytes()
    cache = imagecache.ImageCache(str(tmp_path / '_base'))
    path, fmt = cache.fetch(_meta(data, disk_format='vmdk'), Fetcher(data))
    assert fmt == 'qcow2' and disks.info(path)['format'] == 'qcow2'


def test_blank_bases_are_formatted_once(tmp_path):
    cache = imagecache.ImageCache(str(tmp_path / '_base'))
    eph = cache.ephemeral_base(1)
    swap = cache.swap_base(16)
    assert os.path.getsize(eph) == 1024 ** 3 and os.path.getsize(swap) == 16 * MiB
    blkid = subprocess.run(['blkid', '-p', '-o', 'export', eph], capture_output=True,
                           text=True).stdout
    assert 'TYPE=ext4' in blkid and 'LABEL=ephemeral0' in blkid
    assert 'TYPE=swap' in subprocess.run(['blkid', '-p', '-o', 'export', swap],
                                         capture_output=True, text=True).stdout
    mtime = os.stat(eph).st_mtime_ns
    assert cache.ephemeral_base(1) == eph and os.stat(eph).st_mtime_ns >= mtime


def test_prune_keeps_used_and_recent_entries(tmp_path):
    data = _qcow2(tmp_path / 'src.qcow2').read_bytes()
    cache = imagecache.ImageCache(str(tmp_path / '_base'))
    used, _ = cache.fetch(_meta(data, image_id='used'), Fetcher(data))
    old, _ = cache.fetch(_meta(data, image_id='old'), Fetcher(data))
    fresh, _ = cache.fetch(_meta(data, image_id='fresh'), Fetcher(data))
    past = time.time() - 7200
    for path in (used, old):
        os.utime(path, (past, past))
    removed = cache.prune([used], min_age=3600)
    assert removed == [old]
    assert os.path.exists(used) and os.path.exists(fresh)


def test_make_ext4_and_swap_commands_fail_clearly(tmp_path):
    with pytest.raises(base.VirtError, match='mkswap'):
        disks.make_swap(str(tmp_path / 'missing' / 'x'))
    assert json.loads(json.dumps(disks.info(str(_qcow2(tmp_path / 'q.qcow2')), 'qcow2')))
