"""Volume backups through the real object store daemons (Swift API, real identity): full
and incremental backups of a file-backed volume, restores to new and existing volumes,
corruption found, deletes that keep what other backups use."""
import hashlib
import os
import uuid

import pytest
import requests

from blockstore.backup import chunked
from blockstore.backup import objectstore
from blockstore.drivers import file as file_driver
from blockstore.drivers import settings as settings_mod
from common.testing.fake_tgtadm import FakeTgtadm
from blockstore.drivers import tgt as tgt_mod

MiB = 1024 * 1024
GiB = 1024 * MiB
CHUNK = 4 * MiB


@pytest.fixture
def setup(object_store, tmp_path):
    proxy, session = object_store
    store = objectstore.SwiftObjectStore(session)
    container = 'backups-%s' % uuid.uuid4().hex[:8]
    backups = chunked.ChunkedBackupDriver(store, container=container, chunk_size=CHUNK)
    # Only the file driver's data side is used here (no export): tgt is never called.
    volumes = file_driver.FileDriver(
        settings_mod.BackendSettings(volumes_dir=str(tmp_path / 'volumes')),
        tgt=tgt_mod.TgtAdm(runner=FakeTgtadm()))
    volumes.do_setup()
    yield store, backups, volumes, container
    for name in store.list_objects(container):
        store.delete_object(container, name)
    token = proxy.token('demo')
    requests.delete('%s/%s' % (proxy.storage_url('demo'), container),
                    headers={'X-Auth-Token': token}, timeout=30)


def fill(volumes, volume, writes):
    with volumes.open_volume(volume, 'r+b') as f:
        for offset, data in writes:
            f.seek(offset)
            f.write(data)


def digest(volumes, volume, size=None):
    h = hashlib.sha256()
    with volumes.open_volume(volume) as f:
        remaining = size if size is not None else volume['size'] * GiB
        while remaining:
            block = f.read(min(remaining, 8 * MiB))
            h.update(block)
            remaining -= len(block)
    return h.hexdigest()


def backup_of(backups, volumes, backup_id, volume, parent=None):
    with volumes.open_volume(volume) as source:
        return backups.backup(backup_id, volume['id'], source, volume['size'] * GiB,
                              parent_id=parent)


def restore_to(backups, volumes, backup_id, source_volume_id, target):
    with volumes.open_volume(target, 'r+b') as f:
        backups.restore(backup_id, source_volume_id, f, target['size'] * GiB)


def test_full_incremental_restore_and_delete(setup):
    store, backups, volumes, container = setup
    vol = {'id': 'v-' + uuid.uuid4().hex[:8], 'size': 1}
    volumes.create_volume(vol)
    fill(volumes, vol, [(0, os.urandom(3 * MiB)), (300 * MiB, b'middle' * 1000),
                        (GiB - MiB, os.urandom(MiB))])
    before = digest(volumes, vol)
    full = backup_of(backups, volumes, 'full', vol)
    assert full['chunks'] == 256 and full['chunks_uploaded'] == 3
    names = store.list_objects(container)
    assert 'volume_%s/backup_full/metadata' % vol['id'] in names and len(names) == 4

    fill(volumes, vol, [(301 * MiB, b'changed')])
    after = digest(volumes, vol)
    incr = backup_of(backups, volumes, 'incr', vol, parent='full')
    assert incr['chunks_uploaded'] == 1                    # only the changed 4 MiB chunk

    # restore the incremental to a new volume, the full one over an existing volume
    new = {'id': 'v-' + uuid.uuid4().hex[:8], 'size': 2}
    volumes.create_volume(new)
    restore_to(backups, volumes, 'incr', vol['id'], new)
    assert digest(volumes, new, GiB) == after
    existing = {'id': 'v-' + uuid.uuid4().hex[:8], 'size': 1}
    volumes.create_volume(existing)
    fill(volumes, existing, [(100 * MiB, b'\xff' * MiB)])        # overwritten by zeros
    restore_to(backups, volumes, 'full', vol['id'], existing)
    assert digest(volumes, existing) == before

    small = {'id': 'v-' + uuid.uuid4().hex[:8], 'size': 1}
    volumes.create_volume(small)
    big = {'id': 'v-' + uuid.uuid4().hex[:8], 'size': 2}
    volumes.create_volume(big)
    backup_of(backups, volumes, 'big', big)
    with pytest.raises(chunked.InvalidBackupInput, match='only'):
        restore_to(backups, volumes, 'big', big['id'], small)

    # deleting the parent keeps what the incremental uses
    backups.delete('full', vol['id'])
    restore_to(backups, volumes, 'incr', vol['id'], new)
    assert digest(volumes, new, GiB) == after
    backups.delete('incr', vol['id'])
    assert store.list_objects(container, 'volume_%s/' % vol['id']) == []
    backups.delete('big', big['id'])
    assert store.list_objects(container) == []


def test_changed_object_is_found_on_restore(setup):
    store, backups, volumes, container = setup
    vol = {'id': 'v-' + uuid.uuid4().hex[:8], 'size': 1}
    volumes.create_volume(vol)
    fill(volumes, vol, [(8 * MiB, os.urandom(MiB))])
    backup_of(backups, volumes, 'b1', vol)
    name = 'volume_%s/backup_b1/chunk_000002' % vol['id']
    body = bytearray(store.get_object(container, name))
    body[100] ^= 0x01
    store.put_object(container, name, bytes(body))        # someone rewrote it in Swift
    target = {'id': 'v-' + uuid.uuid4().hex[:8], 'size': 1}
    volumes.create_volume(target)
    with pytest.raises(chunked.BackupCorrupt, match='chunk_000002'):
        restore_to(backups, volumes, 'b1', vol['id'], target)
    backups.delete('b1', vol['id'])
