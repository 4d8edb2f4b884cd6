"""The chunked backup driver against a TEST FAKE object store (in memory)."""
import io
import os

import pytest

from blockstore.backup import chunked
from blockstore.backup import objectstore
from blockstore.drivers import file as file_driver
from blockstore.drivers import settings as settings_mod
from blockstore.drivers import tgt as tgt_mod
from common.testing.fake_objectstore import FakeObjectStore
from common.testing.fake_tgtadm import FakeTgtadm

KiB = 1024
CHUNK = 64 * KiB
VOL = 'vol-1'


def volume_bytes(chunks=8, tail=1000):
    """Compressible data with two all-zero chunks and a short last chunk."""
    data = bytearray()
    for index in range(chunks):
        if index in (2, 5):
            data += bytes(CHUNK)
        else:
            data += (b'chunk %02d ' % index) * (CHUNK // 9) + b'x' * (CHUNK % 9)
    data += os.urandom(tail)
    return bytes(data)


@pytest.fixture
def store():
    return FakeObjectStore()


@pytest.fixture
def driver(store):
    return chunked.ChunkedBackupDriver(store, chunk_size=CHUNK)


def restore_bytes(driver, backup_id, size, volume_id=VOL, initial=None):
    target = io.BytesIO(initial if initial is not None else bytes(size))
    driver.restore(backup_id, volume_id, target, len(target.getvalue()))
    return target.getvalue()


def test_full_backup_and_restore(driver, store):
    data = volume_bytes()
    seen = []
    result = driver.backup('b1', VOL, io.BytesIO(data), len(data),
                           progress=lambda done, total: seen.append((done, total)))
    assert result['chunks'] == 9 and result['chunks_zero'] == 2
    assert result['chunks_uploaded'] == 7 == store.puts - 2          # + 2 metadata writes
    assert result['stored_bytes'] < len(data) // 4                 # compressed
    assert seen[-1] == (len(data), len(data))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert restore_bytes(driver, 'b1', len(data)) == data
    names = store.list_objects('volumebackups')
    assert 'volume_vol-1/backup_b1/metadata' in names
    assert 'volume_vol-1/backup_b1/chunk_000002' not in names      # zeros are not stored


def test_incremental_uploads_only_changed_chunks(driver, store):
    old = volume_bytes()
    driver.backup('b1', VOL, io.BytesIO(old), len(old))
    new = bytearray(old)
    new[3 * CHUNK + 10:3 * CHUNK + 14] = b'CHNG'
    new = bytes(new)
    puts = store.puts
    result = driver.backup('b2', VOL, io.BytesIO(new), len(new), parent_id='b1')
    assert result['chunks_uploaded'] == 1 and store.puts - puts == 3
    meta = driver.get_metadata(VOL, 'b2')
    assert meta['parent_id'] == 'b1'
    assert meta['chunks'][0]['object'] == 'volume_vol-1/backup_b1/chunk_000000'
    assert meta['chunks'][3]['object'] == 'volume_vol-1/backup_b2/chunk_000003'
    assert restore_bytes(driver, 'b2', len(new)) == new
    assert restore_bytes(driver, 'b1', len(old)) == old
    # a third, incremental on the incremental, with nothing changed uploads nothing
    assert driver.backup('b3', VOL, io.BytesIO(new), len(new), parent_id='b2')[
        'chunks_uploaded'] == 0
    assert restore_bytes(driver, 'b3', len(new)) == new


def test_delete_keeps_chunks_other_backups_use(driver, store):
    old = volume_bytes()
    driver.backup('b1', VOL, io.BytesIO(old), len(old))
    new = old[:CHUNK] + b'N' * CHUNK + old[2 * CHUNK:]
    driver.backup('b2', VOL, io.BytesIO(new), len(new), parent_id='b1')
    removed = driver.delete('b1', VOL)
    assert removed == 2                       # b1's metadata and its chunk 1 (replaced)
    assert restore_bytes(driver, 'b2', len(new)) == new
    with pytest.raises(chunked.BackupNotFound):
        driver.get_metadata(VOL, 'b1')
    driver.delete('b2', VOL)                  # now the parent's leftovers go too
    assert store.list_objects('volumebackups') == []
    assert driver.delete('b2', VOL) == 0      # again: fine


def test_backups_of_other_volumes_are_untouched(driver, store):
    data = volume_bytes(chunks=2)
    driver.backup('b1', VOL, io.BytesIO(data), len(data))
    driver.backup('b9', 'vol-2', io.BytesIO(data), len(data))
    driver.delete('b1', VOL)
    assert restore_bytes(driver, 'b9', len(data), volume_id='vol-2') == data


def test_crashed_backup_is_not_restorable_and_delete_removes_its_chunks(driver, store):
    data = volume_bytes()
    real_put = store.put_object
    count = []

    def put_then_fail(container, name, body):
        if 'chunk_' in name and len(count) == 3:
            raise objectstore.ObjectStoreError('proxy went away')
        count.append(name)
        return real_put(container, name, body)

    store.put_object = put_then_fail
    with pytest.raises(chunked.BackupError, match='proxy went away'):
        driver.backup('b1', VOL, io.BytesIO(data), len(data))
    store.put_object = real_put
    assert driver.get_metadata(VOL, 'b1')['status'] == 'creating'
    with pytest.raises(chunked.InvalidBackupInput, match='not complete'):
        restore_bytes(driver, 'b1', len(data))
    with pytest.raises(chunked.InvalidBackupInput, match='not complete'):
        driver.backup('b2', VOL, io.BytesIO(data), len(data), parent_id='b1')
    driver.delete('b1', VOL)
    assert store.list_objects('volumebackups') == []


def test_corruption_is_found_on_restore(driver, store):
    data = volume_bytes()
    driver.backup('b1', VOL, io.BytesIO(data), len(data))
    store.corrupt('volumebackups', 'volume_vol-1/backup_b1/chunk_000004')
    with pytest.raises(chunked.BackupCorrupt, match='chunk_000004'):
        restore_bytes(driver, 'b1', len(data))
    store.objects.pop(('volumebackups', 'volume_vol-1/backup_b1/chunk_000004'))
    with pytest.raises(chunked.BackupCorrupt, match='missing'):
        restore_bytes(driver, 'b1', len(data))


def test_chunk_replaced_with_valid_other_data_is_found(driver, store):
    data = volume_bytes()
    driver.backup('b1', VOL, io.BytesIO(data), len(data))
    key = ('volumebackups', 'volume_vol-1/backup_b1/chunk_000001')
    store.objects[key] = chunked.compress(b'y' * CHUNK, 'zstd')
    meta = driver.get_metadata(VOL, 'b1')
    meta['chunks'][1]['md5'] = None           # even without the md5 the sha256 catches it
    driver._put_metadata(meta)
    with pytest.raises(chunked.BackupCorrupt, match='offset %d' % CHUNK):
        restore_bytes(driver, 'b1', len(data))


def test_metadata_of_another_backup_is_refused(driver, store):
    data = volume_bytes(chunks=1)
    driver.backup('b1', VOL, io.BytesIO(data), len(data))
    raw = store.objects[('volumebackups', 'volume_vol-1/backup_b1/metadata')]
    store.objects[('volumebackups', 'volume_vol-1/backup_b2/metadata')] = raw
    with pytest.raises(chunked.BackupCorrupt):
        restore_bytes(driver, 'b2', len(data))


def test_restore_checks_the_target_size(driver):
    data = volume_bytes(chunks=2)
    driver.backup('b1', VOL, io.BytesIO(data), len(data))
    target = io.BytesIO(bytes(100))
    with pytest.raises(chunked.InvalidBackupInput, match='only 100'):
        driver.restore('b1', VOL, target, 100)
    assert target.getvalue() == bytes(100)


def test_restore_into_an_existing_larger_volume(driver):
    data = volume_bytes()
    driver.backup('b1', VOL, io.BytesIO(data), len(data))
    existing = b'\xee' * (len(data) + 5000)
    out = restore_bytes(driver, 'b1', len(data), initial=existing)
    assert out[:len(data)] == data                      # zero chunks were zeroed
    assert out[len(data):] == b'\xee' * 5000            # beyond the backup: untouched


@pytest.mark.parametrize('compression', ['zstd', 'zlib', 'none'])
def test_compressions(store, compression):
    driver = chunked.ChunkedBackupDriver(store, chunk_size=CHUNK, compression=compression)
    data = volume_bytes(chunks=3)
    result = driver.backup('b1', VOL, io.BytesIO(data), len(data))
    assert (result['stored_bytes'] < len(data) // 2) == (compression != 'none')
    assert restore_bytes(driver, 'b1', len(data)) == data


def test_bad_input_is_refused(store, driver):
    with pytest.raises(chunked.InvalidBackupInput):
        chunked.ChunkedBackupDriver(store, compression='lzma')
    with pytest.raises(chunked.validators.InvalidValue):
        chunked.ChunkedBackupDriver(store, chunk_size=1)
    with pytest.raises(chunked.InvalidBackupInput):
        driver.backup('../x', VOL, io.BytesIO(b'x'), 1)
    with pytest.raises(chunked.InvalidBackupInput):
        driver.delete('b1', 'vol/../../other')
    with pytest.raises(chunked.BackupError, match='ended'):
        driver.backup('b1', VOL, io.BytesIO(b'short'), 100)


def test_backup_and_restore_through_the_file_driver(tmp_path, store):
    driver = chunked.ChunkedBackupDriver(store)           # 32 MiB chunks, zstd
    conf = settings_mod.BackendSettings(volumes_dir=str(tmp_path / 'v'))
    drv = file_driver.FileDriver(conf, tgt=tgt_mod.TgtAdm(runner=FakeTgtadm()))
    drv.do_setup()
    drv.create_volume({'id': VOL, 'size': 1})
    with drv.open_volume({'id': VOL, 'size': 1}, 'r+b') as f:
        f.seek(123 * KiB)
        f.write(b'backed up')
    with drv.open_volume({'id': VOL, 'size': 1}) as source:
        result = driver.backup('b1', VOL, source, 1024 ** 3)
    assert result['chunks_zero'] == result['chunks'] - 1     # a sparse volume costs nothing
    drv.create_volume({'id': 'vol-2', 'size': 1})
    with drv.open_volume({'id': 'vol-2', 'size': 1}, 'r+b') as target:
        driver.restore('b1', VOL, target, 1024 ** 3)
    with open(drv.local_path('vol-2'), 'rb') as f:
        f.seek(123 * KiB)
        assert f.read(9) == b'backed up'
    assert os.stat(drv.local_path('vol-2')).st_blocks * 512 <= 32 * 1024 * KiB  # sparse
