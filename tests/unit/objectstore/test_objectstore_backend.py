"""Disk files, listings, timestamps and ranges of the storage backend."""
import os

import pytest

from objectstore.container import broker as container_broker
from objectstore.obj import http_range
from objectstore.ring import utils
from objectstore.storage import diskfile
from objectstore.storage import timestamp


@pytest.fixture(autouse=True)
def secret():
    utils.set_hash_path_secret('p', 's')


def test_timestamp_normalize():
    assert timestamp.normalize('1700000000.123456') == '1700000000.12346'
    assert timestamp.normalize(5) == '0000000005.00000'
    for bad in ('abc', '-1', 'nan', '1e12', None):
        with pytest.raises(ValueError):
            timestamp.normalize(bad)


def write(disk, ts, ext, body=b''):
    writer = disk.writer()
    try:
        writer.write(body)
        meta = {'name': disk.name, 'X-Timestamp': ts}
        if ext == '.data':
            meta.update({'ETag': writer.md5.hexdigest(), 'Content-Length': len(body),
                         'Content-Type': 'text/plain', 'X-Object-Meta-A': '1'})
        else:
            meta['X-Object-Meta-B'] = '2'
        writer.commit(meta, ext)
    finally:
        writer.close()


def test_diskfile_versions_meta_and_tombstones(tmp_path):
    os.makedirs(tmp_path / 'd1')
    disk = diskfile.DiskFile(str(tmp_path), 'd1', 3, 'a', 'c', 'o')
    assert disk.open()[0] == 'missing'
    write(disk, '0000000001.00000', '.data', b'one')
    write(disk, '0000000002.00000', '.data', b'two')
    state, meta, path, length = disk.open()
    assert state == 'present' and length == 3 and open(path, 'rb').read(length) == b'two'
    write(disk, '0000000003.00000', '.meta')
    state, meta, _, _ = disk.open()
    assert meta['X-Object-Meta-B'] == '2' and 'X-Object-Meta-A' not in meta
    assert sorted(os.listdir(disk.hash_dir)) == ['0000000002.00000.data',
                                                 '0000000003.00000.meta']
    write(disk, '0000000004.00000', '.ts')
    assert disk.open()[0] == 'deleted'
    assert os.listdir(disk.hash_dir) == ['0000000004.00000.ts']
    # an old tombstone is reclaimed and the directory goes away
    diskfile.cleanup(disk.hash_dir, reclaim_age=10, now=100)
    assert not os.path.exists(disk.hash_dir)


def test_truncated_file_is_reported(tmp_path):
    os.makedirs(tmp_path / 'd1')
    disk = diskfile.DiskFile(str(tmp_path), 'd1', 3, 'a', 'c', 'o')
    write(disk, '0000000001.00000', '.data', b'body')
    name = os.path.join(disk.hash_dir, '0000000001.00000.data')
    with open(name, 'r+b') as handle:
        handle.truncate(10)
    with pytest.raises(diskfile.DiskFileError):
        disk.open()


def test_suffix_hashes_change_with_content(tmp_path):
    os.makedirs(tmp_path / 'd1')
    disk = diskfile.DiskFile(str(tmp_path), 'd1', 3, 'a', 'c', 'o')
    write(disk, '0000000001.00000', '.data', b'x')
    first = diskfile.get_hashes(disk.part_path, 3600)
    assert list(first) == [disk.hash[-3:]]
    write(disk, '0000000002.00000', '.ts')
    assert diskfile.get_hashes(disk.part_path, 3600) != first


def test_container_listing_delimiter_reverse_markers(tmp_path):
    path = os.path.join(str(tmp_path), 'd1', 'containers', '1', 'abc', 'h', 'h.db')
    broker = container_broker.ContainerBroker(path, 'a', 'c')
    broker.initialize('0000000001.00000')
    for name in ('a/1', 'a/2', 'b', 'c/x/1', 'd'):
        broker.put_object(name, '0000000002.00000', 1, 'text/plain', 'e')
    broker.put_object('b', '0000000001.00000', 0, '', '', deleted=1)   # older: ignored
    broker.put_object('d', '0000000003.00000', 0, '', '', deleted=1)
    names = lambda rows: [r.get('subdir') or r['name'] for r in rows]  # noqa: E731
    assert names(broker.list_objects(100)) == ['a/1', 'a/2', 'b', 'c/x/1']
    assert names(broker.list_objects(100, delimiter='/')) == ['a/', 'b', 'c/']
    assert names(broker.list_objects(100, prefix='c/', delimiter='/')) == ['c/x/']
    assert names(broker.list_objects(2, marker='a/1')) == ['a/2', 'b']
    assert names(broker.list_objects(100, reverse=True, delimiter='/')) == ['c/', 'b', 'a/']
    assert names(broker.list_objects(100, end_marker='b')) == ['a/1', 'a/2']
    assert broker.stats() == (4, 4)


def test_listing_paged_on_a_subdir_marker_moves_on(tmp_path):
    """Clients page a delimited listing with the last subdir as the marker: the next page
    starts after that subdir instead of returning it again (issue 12: swift list looped)."""
    path = os.path.join(str(tmp_path), 'd1', 'containers', '1', 'abc', 'h', 'h.db')
    broker = container_broker.ContainerBroker(path, 'a', 'c')
    broker.initialize('0000000001.00000')
    for name in ('a/b/1', 'a/b/2', 'a/c/1', 'a/d', 'a/e/1', 'b/1'):
        broker.put_object(name, '0000000002.00000', 1, 'text/plain', 'e')
    names = lambda rows: [r.get('subdir') or r['name'] for r in rows]  # noqa: E731
    page = dict(prefix='a/', delimiter='/')
    assert names(broker.list_objects(100, **page)) == ['a/b/', 'a/c/', 'a/d', 'a/e/']
    assert names(broker.list_objects(100, marker='a/c/', **page)) == ['a/d', 'a/e/']
    assert names(broker.list_objects(100, marker='a/e/', **page)) == []
    # Walking pages of one entry visits each entry once and ends.
    seen, marker = [], ''
    while True:
        rows = names(broker.list_objects(1, marker=marker, **page))
        if not rows:
            break
        seen.extend(rows)
        marker = rows[-1]
        assert len(seen) < 10
    assert seen == ['a/b/', 'a/c/', 'a/d', 'a/e/']
    assert names(broker.list_objects(100, delimiter='/', marker='a/')) == ['b/']


def test_ranges_and_conditions():
    assert http_range.parse_range('bytes=0-4', 10) == [(0, 5)]
    assert http_range.parse_range('bytes=-3', 10) == [(7, 10)]
    assert http_range.parse_range('bytes=8-,0-0', 10) == [(8, 10), (0, 1)]
    assert http_range.parse_range('bytes=20-', 10) == []
    assert http_range.parse_range('bytes=5-2', 10) is None
    assert http_range.parse_range('items=1-2', 10) is None
    assert http_range.check_conditions({'If-None-Match': '"abc"'}, 'abc', 100) == 304
    assert http_range.check_conditions({'If-Match': 'xyz'}, 'abc', 100) == 412
    assert http_range.check_conditions({'If-Modified-Since':
                                        'Thu, 01 Jan 1970 00:01:40 GMT'}, 'abc', 100) == 304
    assert http_range.check_conditions({}, 'abc', 100) is None
