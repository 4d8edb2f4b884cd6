"""Storage servers and consistency daemons as real processes (the storage_cluster fixture)."""
import glob
import hashlib
import os
import time
import urllib.parse
import uuid

import pytest
import requests

pytestmark = pytest.mark.timeout(120)


def ts():
    return '%.5f' % time.time()


def url(node, part, *names):
    return 'http://127.0.0.1:%d/%s/%d/%s' % (
        node['port'], node['device'], part, '/'.join(urllib.parse.quote(n) for n in names))


def unique(prefix):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


@pytest.fixture
def cluster(storage_cluster):
    storage_cluster.activate()
    yield storage_cluster
    storage_cluster.ensure_running()


def make_container(cluster, account, container):
    """Create the account and container on all their primaries."""
    part, nodes = cluster.ring('account').get_nodes(account)
    for node in nodes:
        assert requests.put(url(node, part, account), headers={'X-Timestamp': ts()},
                            timeout=10).status_code in (201, 202)
    apart, anodes = part, nodes
    part, nodes = cluster.ring('container').get_nodes(account, container)
    for node in nodes:
        resp = requests.put(url(node, part, account, container), timeout=10, headers={
            'X-Timestamp': ts(), 'X-Account-Partition': str(apart),
            'X-Account-Host': ','.join('127.0.0.1:%d' % n['port'] for n in anodes),
            'X-Account-Device': ','.join(n['device'] for n in anodes)})
        assert resp.status_code in (201, 202)
    return part, nodes


def put_object(cluster, account, container, obj, body, extra=None, only_up=False):
    cpart, cnodes = cluster.ring('container').get_nodes(account, container)
    part, nodes = cluster.ring('object').get_nodes(account, container, obj)
    stamp = ts()
    results = []
    for index, node in enumerate(nodes):
        cnode = cnodes[index % len(cnodes)]
        headers = {'X-Timestamp': stamp, 'Content-Type': 'text/plain',
                   'ETag': hashlib.md5(body).hexdigest(), 'X-Container-Partition': str(cpart),
                   'X-Container-Host': '127.0.0.1:%d' % cnode['port'],
                   'X-Container-Device': cnode['device']}
        headers.update(extra or {})
        try:
            results.append(requests.put(url(node, part, account, container, obj), data=body,
                                        headers=headers, timeout=10).status_code)
        except requests.ConnectionError:
            if not only_up:
                raise
            results.append(None)
    return part, nodes, results


def get_all(nodes, part, *names):
    return [requests.get(url(n, part, *names), timeout=10) for n in nodes]


def data_files(cluster, node, part, account, container, obj):
    from objectstore.ring import utils
    obj_hash = utils.hash_path(account, container, obj)
    devices = [info['devices'] for info in cluster.nodes.values()
               if info['ports']['object'] == node['port']][0]
    return glob.glob(os.path.join(devices, node['device'], 'objects', str(part),
                                  obj_hash[-3:], obj_hash, '*.data'))


def test_put_get_head_delete_on_all_replicas(cluster):
    account, container, obj = unique('AUTH_a'), 'c', 'dir/obj ü'
    make_container(cluster, account, container)
    part, nodes, results = put_object(cluster, account, container, obj, b'hello world',
                                      {'X-Object-Meta-Color': 'blue'})
    assert results == [201, 201, 201]
    for resp in get_all(nodes, part, account, container, obj):
        assert resp.status_code == 200 and resp.content == b'hello world'
        assert resp.headers['ETag'] == '"%s"' % hashlib.md5(b'hello world').hexdigest()
        assert resp.headers['X-Object-Meta-Color'] == 'blue'
    head = requests.head(url(nodes[0], part, account, container, obj), timeout=10)
    assert head.status_code == 200 and head.headers['Content-Length'] == '11'
    ranged = requests.get(url(nodes[0], part, account, container, obj), timeout=10,
                          headers={'Range': 'bytes=0-4'})
    assert ranged.status_code == 206 and ranged.content == b'hello'
    bad = requests.put(url(nodes[0], part, account, container, 'x'), data=b'abc', timeout=10,
                       headers={'X-Timestamp': ts(), 'ETag': '0' * 32})
    assert bad.status_code == 422
    assert requests.put(url(nodes[0], part, account, container, 'y'), data=b'abc',
                        timeout=10).status_code == 400  # no X-Timestamp
    # The container listing got the row from each object server.
    cpart, cnodes = cluster.ring('container').get_nodes(account, container)
    listing = requests.get(url(cnodes[0], cpart, account, container) + '?format=json',
                           timeout=10).json()
    assert [r['name'] for r in listing] == [obj] and listing[0]['bytes'] == 11
    stamp = ts()
    for node in nodes:
        resp = requests.delete(url(node, part, account, container, obj), timeout=10,
                               headers={'X-Timestamp': stamp})
        assert resp.status_code == 204
    for resp in get_all(nodes, part, account, container, obj):
        assert resp.status_code == 404 and resp.headers['X-Backend-Timestamp'] == stamp


def test_replicator_restores_replicas_missed_while_down(cluster):
    account, container, obj = unique('AUTH_r'), 'c', 'o'
    make_container(cluster, account, container)
    part, nodes = cluster.ring('object').get_nodes(account, container, obj)
    down = 'object-%d' % (1 if nodes[0]['port'] == cluster.port('object-1') else 2)
    cluster.stop(down)
    try:
        _, _, results = put_object(cluster, account, container, obj, b'payload', only_up=True)
    finally:
        cluster.start(down)
    assert results.count(201) >= 1 and None in results
    missed = [n for n, r in zip(nodes, results) if r is None]
    for resp in get_all(missed, part, account, container, obj):
        assert resp.status_code == 404
    cluster.run_once('replicator')
    for resp in get_all(nodes, part, account, container, obj):
        assert resp.status_code == 200 and resp.content == b'payload'


def test_replicator_restores_a_deleted_file(cluster):
    account, container, obj = unique('AUTH_f'), 'c', 'o'
    make_container(cluster, account, container)
    part, nodes, results = put_object(cluster, account, container, obj, b'keep me')
    assert results == [201, 201, 201]
    files = data_files(cluster, nodes[1], part, account, container, obj)
    assert len(files) == 1
    os.unlink(files[0])
    assert get_all([nodes[1]], part, account, container, obj)[0].status_code == 404
    cluster.run_once('replicator')
    assert len(data_files(cluster, nodes[1], part, account, container, obj)) == 1
    assert get_all([nodes[1]], part, account, container, obj)[0].content == b'keep me'


def test_auditor_quarantines_corruption_and_replicator_restores(cluster):
    account, container, obj = unique('AUTH_q'), 'c', 'o'
    make_container(cluster, account, container)
    part, nodes, results = put_object(cluster, account, container, obj, b'A' * 1000)
    [path] = data_files(cluster, nodes[2], part, account, container, obj)
    with open(path, 'r+b') as handle:
        handle.write(b'B')  # same length, different MD5
    # The session's cluster also holds the proxy tests' large uploads (hundreds of MiB):
    # at the default 20 MB/s the pass outlasts run_once's timeout; the rate is not tested here.
    cluster.run_once('auditor', overrides={'auditor': {'bytes_per_second': 1024 ** 3}})
    assert data_files(cluster, nodes[2], part, account, container, obj) == []
    device_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.dirname(path)))))
    assert glob.glob(os.path.join(device_root, 'quarantined', 'objects', '*', '*.data'))
    assert get_all([nodes[2]], part, account, container, obj)[0].status_code == 404
    cluster.run_once('replicator')
    resp = get_all([nodes[2]], part, account, container, obj)[0]
    assert resp.status_code == 200 and resp.content == b'A' * 1000


def test_async_pending_delivered_by_updater(cluster):
    account, container, obj = unique('AUTH_u'), 'c', 'o'
    cpart, cnodes = make_container(cluster, account, container)
    stopped = ['container-1', 'container-2']
    for name in stopped:
        cluster.stop(name)
    try:
        _, _, results = put_object(cluster, account, container, obj, b'x')
        assert results == [201, 201, 201]
    finally:
        for name in stopped:
            cluster.start(name)
    listing = requests.get(url(cnodes[0], cpart, account, container) + '?format=json',
                           timeout=10).json()
    assert listing == []
    pendings = glob.glob(os.path.join(cluster.root, 'node*', '*', 'async_pending', '*', '*'))
    assert pendings
    cluster.run_once('updater')
    for node in cnodes:
        listing = requests.get(url(node, cpart, account, container) + '?format=json',
                               timeout=10).json()
        assert [r['name'] for r in listing] == [obj]
    assert not [p for p in glob.glob(os.path.join(cluster.root, 'node*', '*', 'async_pending',
                                                  '*', '*')) if p in pendings]
    # The updater also reported the container's new stats to the account.
    apart, anodes = cluster.ring('account').get_nodes(account)
    head = requests.head(url(anodes[0], apart, account), timeout=10)
    assert head.headers['X-Account-Object-Count'] == '1'


def test_expired_object_is_404_then_removed_by_expirer(cluster):
    account, container, obj = unique('AUTH_e'), 'c', 'o'
    cpart, cnodes = make_container(cluster, account, container)
    part, nodes, results = put_object(cluster, account, container, obj, b'short-lived',
                                      {'X-Delete-At': str(int(time.time()) + 2)})
    assert results == [201, 201, 201]
    past = requests.put(url(nodes[0], part, account, container, 'old'), data=b'', timeout=10,
                        headers={'X-Timestamp': ts(), 'X-Delete-At': '1000'})
    assert past.status_code == 400
    time.sleep(3.1)
    for resp in get_all(nodes, part, account, container, obj):
        assert resp.status_code == 404
    assert all(data_files(cluster, n, part, account, container, obj) for n in nodes)
    cluster.run_once('expirer')
    assert not any(data_files(cluster, n, part, account, container, obj) for n in nodes)
    listing = requests.get(url(cnodes[0], cpart, account, container) + '?format=json',
                           timeout=10).json()
    assert listing == []


def test_container_created_while_down_is_replicated(cluster):
    account, container = unique('AUTH_d'), 'c'
    cpart, cnodes = cluster.ring('container').get_nodes(account, container)
    down = 'container-%d' % (1 if cnodes[0]['port'] == cluster.port('container-1') else 2)
    cluster.stop(down)
    try:
        stamp = ts()
        for node in cnodes:
            try:
                requests.put(url(node, cpart, account, container), timeout=10, headers={
                    'X-Timestamp': stamp, 'X-Container-Meta-Color': 'red'})
            except requests.ConnectionError:
                pass
    finally:
        cluster.start(down)
    statuses = [requests.head(url(n, cpart, account, container), timeout=10).status_code
                for n in cnodes]
    assert 404 in statuses and 204 in statuses
    cluster.run_once('replicator')
    for node in cnodes:
        head = requests.head(url(node, cpart, account, container), timeout=10)
        assert head.status_code == 204 and head.headers['X-Container-Meta-Color'] == 'red'


def test_handoff_pushed_to_primaries_and_tombstones_reclaimed(cluster):
    account, container, obj = unique('AUTH_h'), 'c', 'o'
    make_container(cluster, account, container)
    ring = cluster.ring('object')
    part, nodes = ring.get_nodes(account, container, obj)
    handoff = next(ring.get_more_nodes(part))
    # Written to two primaries and the handoff (as a proxy does when a primary fails).
    stamp = ts()
    for node in nodes[:2] + [handoff]:
        assert requests.put(url(node, part, account, container, obj), data=b'h', timeout=10,
                            headers={'X-Timestamp': stamp}).status_code == 201
    cluster.run_once('replicator')
    for resp in get_all(nodes, part, account, container, obj):
        assert resp.status_code == 200 and resp.content == b'h'
    assert data_files(cluster, handoff, part, account, container, obj) == []
    # A delete on one primary reaches the others as a tombstone...
    stamp = ts()
    assert requests.delete(url(nodes[0], part, account, container, obj), timeout=10,
                           headers={'X-Timestamp': stamp}).status_code == 204
    cluster.run_once('replicator')
    for resp in get_all(nodes, part, account, container, obj):
        assert resp.status_code == 404 and resp.headers['X-Backend-Timestamp'] == stamp
    # ...and tombstones older than reclaim_age are removed.
    time.sleep(1.1)
    cluster.run_once('replicator', overrides={'storage': {'reclaim_age': '1'}})
    from objectstore.ring import utils
    obj_hash = utils.hash_path(account, container, obj)
    assert not glob.glob(os.path.join(cluster.root, 'node*', '*', 'objects', str(part), '*',
                                      obj_hash, '*'))
