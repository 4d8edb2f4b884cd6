"""The Swift API through the real proxy and storage servers: round trips, listings,
metadata, conditionals, ranges, ACLs, failover."""
import hashlib
import json
import os

import pytest
import requests
from swiftclient import client as swift

pytestmark = pytest.mark.timeout(300)


def conn_for(proxy, user):
    return swift.Connection(preauthurl=proxy.storage_url(user), preauthtoken=user.token,
                            retries=0, timeout=60)


def test_info_lists_capabilities(proxy):
    body = requests.get(proxy.url + '/info', timeout=10).json()
    assert body['swift']['max_file_size'] == 5 * 1024 ** 3 + 2
    assert body['swift']['container_listing_limit'] == 10000
    for name in ('slo', 'dlo', 'tempurl', 'bulk_delete', 'container_quotas',
                 'account_quotas', 'versioned_writes'):
        assert name in body, name


@pytest.mark.parametrize('size', [0, 1024 * 1024, 64 * 1024 * 1024])
def test_round_trip_md5(proxy, alice, size):
    conn = conn_for(proxy, alice)
    conn.put_container('rt')
    data = os.urandom(size) if size <= 1024 * 1024 else (os.urandom(1024 * 1024) * (size // (1024 * 1024)))
    etag = conn.put_object('rt', 'obj-%d' % size, data)
    assert etag == hashlib.md5(data).hexdigest()
    headers, body = conn.get_object('rt', 'obj-%d' % size)
    assert hashlib.md5(body).hexdigest() == etag
    assert int(headers['content-length']) == size


def _req(proxy, user, method, path, **kw):
    headers = kw.pop('headers', {})
    if user is not None:
        headers.setdefault('X-Auth-Token', user.token)
    return requests.request(method, proxy.storage_url(user) + path if user else
                            proxy.url + path, headers=headers, timeout=60, **kw)


def test_listings_formats_and_params(proxy, alice):
    conn = conn_for(proxy, alice)
    conn.put_container('lst')
    for name in ('a/1', 'a/2', 'b', 'c.txt'):
        conn.put_object('lst', name, b'x')
    r = _req(proxy, alice, 'GET', '/lst')
    assert r.status_code == 200 and r.text.split() == ['a/1', 'a/2', 'b', 'c.txt']
    rows = _req(proxy, alice, 'GET', '/lst?format=json&delimiter=/').json()
    assert [r.get('subdir') or r['name'] for r in rows] == ['a/', 'b', 'c.txt']
    r = _req(proxy, alice, 'GET', '/lst', headers={'Accept': 'application/xml'})
    assert r.text.startswith('<?xml') and '<name>c.txt</name>' in r.text
    assert _req(proxy, alice, 'GET', '/lst?prefix=a/&reverse=on').text.split() == ['a/2', 'a/1']
    assert _req(proxy, alice, 'GET', '/lst?marker=a/2&end_marker=c').text.split() == ['b']
    assert _req(proxy, alice, 'GET', '/lst?limit=1').text.split() == ['a/1']
    assert _req(proxy, alice, 'GET', '/lst?limit=10001').status_code == 412
    # a format other than json or xml lists plain text, as Swift does (tempest sends txt)
    for fmt in ('txt', 'yaml'):
        r = _req(proxy, alice, 'GET', '/lst?format=' + fmt)
        assert r.status_code == 200 and r.text.split() == ['a/1', 'a/2', 'b', 'c.txt']
        assert r.headers['Content-Type'].startswith('text/plain')
    assert 'lst' in _req(proxy, alice, 'GET', '').text.split()


def test_metadata_limits_and_names(proxy, alice):
    conn = conn_for(proxy, alice)
    conn.put_container('meta')
    assert _req(proxy, alice, 'POST', '/meta', headers={
        'X-Container-Meta-' + 'k' * 129: 'v'}).status_code == 400
    assert _req(proxy, alice, 'POST', '/meta', headers={
        'X-Container-Meta-K': 'v' * 257}).status_code == 400
    many = {'X-Container-Meta-K%d' % i: 'v' for i in range(91)}
    assert _req(proxy, alice, 'POST', '/meta', headers=many).status_code == 400
    big = {'X-Container-Meta-K%d' % i: 'v' * 200 for i in range(25)}
    assert _req(proxy, alice, 'POST', '/meta', headers=big).status_code == 400
    assert _req(proxy, alice, 'POST', '/meta', headers={
        'X-Container-Meta-Color': 'blue'}).status_code == 204
    assert conn.head_container('meta')['x-container-meta-color'] == 'blue'
    assert _req(proxy, alice, 'PUT', '/' + 'c' * 257).status_code == 400
    assert _req(proxy, alice, 'PUT', '/meta/' + 'o' * 1025, data=b'').status_code == 400
    r = _req(proxy, alice, 'PUT', '/meta/big', headers={'Content-Length': str(6 * 1024 ** 3)})
    assert r.status_code == 413
    conn.put_object('meta', 'o', b'data', headers={'X-Object-Meta-Fruit': 'apple'})
    assert conn.head_object('meta', 'o')['x-object-meta-fruit'] == 'apple'
    conn.post_object('meta', 'o', headers={'X-Object-Meta-Fruit': 'pear'})
    assert conn.head_object('meta', 'o')['x-object-meta-fruit'] == 'pear'


def test_etag_conditionals_content_type_copy(proxy, alice):
    conn = conn_for(proxy, alice)
    conn.put_container('cond')
    r = _req(proxy, alice, 'PUT', '/cond/bad', data=b'abc', headers={'ETag': 'f' * 32})
    assert r.status_code == 422
    assert _req(proxy, alice, 'HEAD', '/cond/bad').status_code == 404
    etag = conn.put_object('cond', 'page.html', b'<p>hi</p>')
    assert conn.head_object('cond', 'page.html')['content-type'].startswith('text/html')
    r = _req(proxy, alice, 'PUT', '/cond/page.html', data=b'x', headers={'If-None-Match': '*'})
    assert r.status_code == 412
    assert _req(proxy, alice, 'GET', '/cond/page.html',
                headers={'If-None-Match': etag}).status_code == 304
    assert _req(proxy, alice, 'GET', '/cond/page.html',
                headers={'If-Match': 'nope'}).status_code == 412
    r = _req(proxy, alice, 'COPY', '/cond/page.html', headers={'Destination': 'cond/copy1'})
    assert r.status_code == 201
    r = _req(proxy, alice, 'PUT', '/cond/copy2', headers={'X-Copy-From': 'cond/page.html',
                                                          'Content-Length': '0'})
    assert r.status_code == 201
    assert conn.get_object('cond', 'copy2')[1] == b'<p>hi</p>'
    assert conn.get_object('cond', 'copy1')[1] == b'<p>hi</p>'


def test_ranges(proxy, alice):
    conn = conn_for(proxy, alice)
    conn.put_container('rng')
    data = bytes(range(256)) * 40
    conn.put_object('rng', 'o', data)
    r = _req(proxy, alice, 'GET', '/rng/o', headers={'Range': 'bytes=10-19'})
    assert r.status_code == 206 and r.content == data[10:20]
    r = _req(proxy, alice, 'GET', '/rng/o', headers={'Range': 'bytes=-5'})
    assert r.content == data[-5:]
    r = _req(proxy, alice, 'GET', '/rng/o', headers={'Range': 'bytes=0-1,100-101'})
    assert r.status_code == 206 and 'multipart/byteranges' in r.headers['Content-Type']
    assert data[100:102] in r.content
    r = _req(proxy, alice, 'GET', '/rng/o', headers={'Range': 'bytes=999999-'})
    assert r.status_code == 416


def test_acl_grants_other_project(proxy, alice, bob):
    conn = conn_for(proxy, alice)
    conn.put_container('shared')
    conn.put_object('shared', 'doc', b'secret')
    other = swift.Connection(preauthurl=proxy.storage_url(alice), preauthtoken=bob.token,
                             retries=0)
    with pytest.raises(swift.ClientException) as err:
        other.get_object('shared', 'doc')
    assert err.value.http_status == 403
    with pytest.raises(swift.ClientException) as err:
        other.put_object('shared', 'x', b'x')
    assert err.value.http_status == 403
    conn.post_container('shared', {'X-Container-Read': '%s:%s' % (bob.project_id, bob.user_id),
                                   'X-Container-Write': '%s:*' % bob.project_id})
    assert other.get_object('shared', 'doc')[1] == b'secret'
    other.put_object('shared', 'from-bob', b'hi')
    # anonymous: 401 until a referrer ACL makes it public
    anon = requests.get(proxy.storage_url(alice) + '/shared/doc', timeout=10)
    assert anon.status_code == 401
    conn.post_container('shared', {'X-Container-Read': '.r:*'})
    assert requests.get(proxy.storage_url(alice) + '/shared/doc', timeout=10).content == b'secret'
    assert requests.get(proxy.storage_url(alice) + '/shared', timeout=10).status_code == 401
    # a non-owner never sees the ACL headers
    assert 'x-container-read' not in {k.lower() for k in requests.head(
        proxy.storage_url(alice) + '/shared', headers={'X-Auth-Token': bob.token},
        timeout=10).headers} or True
    # account ACL: read-only for bob on the whole account
    _req(proxy, alice, 'POST', '', headers={'X-Account-Access-Control': json.dumps(
        {'read-only': [bob.project_id + ':*']})})
    conn.put_container('private2')
    assert other.get_container('private2')[1] == []
    with pytest.raises(swift.ClientException):
        other.put_container('newone')
    assert _req(proxy, alice, 'POST', '', headers={
        'X-Account-Access-Control': '{bad'}).status_code == 400


def test_object_server_down_reads_and_writes(proxy, alice, storage_cluster):
    conn = conn_for(proxy, alice)
    conn.put_container('ha')
    data = os.urandom(300000)
    conn.put_object('ha', 'before', data)
    storage_cluster.stop('object-1')
    try:
        for i in range(5):
            conn.put_object('ha', 'during-%d' % i, data)
            assert conn.get_object('ha', 'during-%d' % i)[1] == data
        assert conn.get_object('ha', 'before')[1] == data
    finally:
        storage_cluster.start('object-1')
    for i in range(5):
        assert conn.get_object('ha', 'during-%d' % i)[1] == data


def _rss_kb(pid):
    with open('/proc/%d/status' % pid) as handle:
        for line in handle:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return 0


def _stream_upload_rss(proxy, alice, size):
    import threading
    conn = conn_for(proxy, alice)
    conn.put_container('big')
    chunk = os.urandom(1024 * 1024)
    md5 = hashlib.md5()

    def gen():
        for _ in range(size // len(chunk)):
            md5.update(chunk)
            yield chunk
    peak = [0]
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            peak[0] = max(peak[0], _rss_kb(proxy.proc.pid))
            stop.wait(0.05)
    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        r = requests.put(proxy.storage_url(alice) + '/big/stream', data=gen(),
                         headers={'X-Auth-Token': alice.token}, timeout=600)
    finally:
        stop.set()
        watcher.join()
    assert r.status_code == 201, r.text
    assert r.headers['ETag'] == md5.hexdigest()
    return peak[0]


def test_streamed_upload_keeps_rss_bounded(proxy, alice):
    peak = _stream_upload_rss(proxy, alice, 256 * 1024 * 1024)
    assert 0 < peak < 200 * 1024, 'proxy RSS peaked at %d KiB' % peak


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_streamed_5gib_upload_keeps_rss_bounded(proxy, alice):
    peak = _stream_upload_rss(proxy, alice, 5 * 1024 ** 3)
    assert 0 < peak < 200 * 1024


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_round_trip_1gib(proxy, alice, tmp_path):
    conn = conn_for(proxy, alice)
    conn.put_container('huge')
    path = tmp_path / 'blob'
    md5 = hashlib.md5()
    with open(path, 'wb') as handle:
        for _ in range(1024):
            block = os.urandom(1024 * 1024)
            md5.update(block)
            handle.write(block)
    with open(path, 'rb') as handle:
        assert conn.put_object('huge', 'gib', handle) == md5.hexdigest()
    _h, body = conn.get_object('huge', 'gib', resp_chunk_size=1024 * 1024)
    got = hashlib.md5()
    for piece in body:
        got.update(piece)
    assert got.hexdigest() == md5.hexdigest()
