"""The image-api daemon over HTTP: discovery, a 4xx walk, interrupted uploads, restarts."""
import hashlib
import os
import socket
import time

import requests


def test_discovery_and_basic_flow(image_daemon, image_api):
    resp = requests.get(image_daemon.url + '/', timeout=10)
    assert resp.status_code == 300
    assert resp.json()['versions'][0]['links'][0]['href'] == image_daemon.url + '/v2/'
    api = image_api()
    img = api('POST', '/v2/images', json={'name': 'x', 'disk_format': 'raw',
                                          'container_format': 'bare'}).json()
    data = os.urandom(1024 * 1024 + 3)
    resp = api('PUT', '/v2/images/%s/file' % img['id'], data=data,
               headers={'Content-Type': 'application/octet-stream'})
    assert resp.status_code == 204
    got = api('GET', '/v2/images/%s/file' % img['id'])
    assert got.content == data and got.headers['Content-MD5'] == hashlib.md5(data).hexdigest()
    assert 'X-OpenStack-Request-Id' in got.headers


def test_error_walk(image_daemon, image_api):
    """Bad input of every kind answers a 4xx naming the problem (and never a 500)."""
    alice, bob = image_api(), image_api('p-bob')
    reader = image_api('p-alice', roles=('reader',))
    img = alice('POST', '/v2/images', json={'name': 'q', 'disk_format': 'qcow2',
                                            'container_format': 'bare',
                                            'protected': True}).json()
    foreign = bob('POST', '/v2/images', json={'visibility': 'private'}).json()
    octet = {'Content-Type': 'application/octet-stream'}
    patch = {'Content-Type': 'application/openstack-images-v2.1-json-patch'}
    cases = [
        (alice('PUT', '/v2/images/%s/file' % img['id'], data=b'not a qcow2' * 10000,
               headers=octet), 400, 'does not match disk_format qcow2'),
        (alice('POST', '/v2/images', json={'disk_format': 'floppy'}), 400, 'disk_format'),
        (alice('POST', '/v2/images', data='{', headers={'Content-Type': 'application/json'}),
         400, 'Malformed JSON'),
        (alice('PATCH', '/v2/images/%s' % img['id'], json=[{'op': 'jump', 'path': '/name'}],
               headers=patch), 400, "'op' must be one of"),
        (alice('PATCH', '/v2/images/%s' % img['id'], json=[
            {'op': 'replace', 'path': '/checksum', 'value': 'x'}], headers=patch),
         403, "'checksum' is read-only"),
        (alice('PATCH', '/v2/images/%s' % img['id'], json=[], headers={
            'Content-Type': 'application/json'}), 415, 'json-patch'),
        (alice('DELETE', '/v2/images/%s' % img['id']), 403, 'protected'),
        (alice('GET', '/v2/images/%s' % foreign['id']), 404, 'No image found'),
        (alice('DELETE', '/v2/images/%s' % foreign['id']), 404, 'No image found'),
        (reader('POST', '/v2/images', json={}), 403, 'add_image'),
        (alice('GET', '/v2/images?sort_key=bogus'), 400, 'Invalid sort key'),
        (alice('POST', '/v2/images/%s/members' % img['id'], json={'member': bob.project_id}),
         200, ''),
        (bob('PUT', '/v2/images/%s/members/%s' % (img['id'], bob.project_id),
             json={'status': 'nah'}), 400, 'status'),
        (alice('GET', '/v2/images/%s/file' % img['id'], headers={'Range': 'bytes=9-1'}),
         204, ''),
        (alice('PUT', '/v2/images', json={}), 405, 'not allowed'),
        (requests.get(image_daemon.url + '/v2/images', timeout=10), 401, 'authentication'),
    ]
    for resp, status, words in cases:
        assert resp.status_code == status, (resp.request.method, resp.url, resp.text)
        assert words in resp.text.replace('&#x27;', "'"), resp.text
    shown = alice('GET', '/v2/images/%s' % img['id']).json()
    assert shown['status'] == 'queued'
    assert os.listdir(image_daemon.datadir()) == []


def _raw_upload(daemon, token, image_id, send, declared):
    sock = socket.create_connection(('127.0.0.1', daemon.port), timeout=10)
    sock.sendall(('PUT /v2/images/%s/file HTTP/1.1\r\nHost: x\r\nX-Auth-Token: %s\r\n'
                  'Content-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n'
                  % (image_id, token, declared)).encode())
    sock.sendall(send)
    return sock


def _wait_status(api, image_id, wanted, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = api('GET', '/v2/images/%s' % image_id).json()['status']
        if status in wanted:
            return status
        time.sleep(0.1)
    raise AssertionError('image %s stayed %s' % (image_id, status))


def test_client_disconnect_mid_upload(image_daemon, image_api):
    api = image_api()
    img = api('POST', '/v2/images', json={'disk_format': 'raw',
                                          'container_format': 'bare'}).json()
    sock = _raw_upload(image_daemon, api.token, img['id'], b'x' * (4 * 1024 * 1024),
                       64 * 1024 * 1024)
    _wait_status(api, img['id'], ('saving',))
    sock.close()
    assert _wait_status(api, img['id'], ('queued', 'killed')) == 'queued'
    assert os.listdir(image_daemon.datadir()) == []
    # The image takes a complete upload afterwards.
    resp = api('PUT', '/v2/images/%s/file' % img['id'], data=b'ok',
               headers={'Content-Type': 'application/octet-stream'})
    assert resp.status_code == 204


def test_restart_mid_upload_cleans_up(image_daemon, image_api):
    api = image_api()
    img = api('POST', '/v2/images', json={'disk_format': 'raw',
                                          'container_format': 'bare'}).json()
    sock = _raw_upload(image_daemon, api.token, img['id'], b'x' * (4 * 1024 * 1024),
                       64 * 1024 * 1024)
    _wait_status(api, img['id'], ('saving',))
    image_daemon.stop(sig=9)  # a crash: no chance to clean up
    sock.close()
    assert any(n.endswith('.part') for n in os.listdir(image_daemon.datadir()))
    image_daemon.start()
    api = image_api()
    assert api('GET', '/v2/images/%s' % img['id']).json()['status'] == 'queued'
    assert os.listdir(image_daemon.datadir()) == []


def test_sigterm_stops_cleanly(image_daemon):
    image_daemon.proc.terminate()
    assert image_daemon.proc.wait(timeout=20) == 0
