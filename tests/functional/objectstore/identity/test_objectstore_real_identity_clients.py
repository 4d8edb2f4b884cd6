"""python-swiftclient (keystone v3) and the openstack CLI against the proxy and the REAL
identity: tokens from identity, the object-store endpoint from identity's catalog."""
import hashlib
import io
import json
import os
import subprocess
import sys
import uuid

import pytest
from swiftclient import client as swift

MIB = 1024 * 1024
SIZES = [0, MIB, 32 * MIB]
OPENSTACK = os.path.join(os.path.dirname(sys.executable), 'openstack')


def make_file(path, size, chunk=8 * MIB):
    """Write ``size`` random bytes to ``path``; return its MD5."""
    md5 = hashlib.md5()
    with open(path, 'wb') as handle:
        left = size
        while left:
            data = os.urandom(min(chunk, left))
            md5.update(data)
            handle.write(data)
            left -= len(data)
    return md5.hexdigest()


def file_md5(path):
    md5 = hashlib.md5()
    with open(path, 'rb') as handle:
        for chunk in iter(lambda: handle.read(MIB), b''):
            md5.update(chunk)
    return md5.hexdigest()


def swift_conn(real_proxy, user='demo'):
    ident = real_proxy.identity
    password = {'admin': ident.admin_password, 'demo': ident.demo_password}[user]
    return swift.Connection(
        authurl=ident.auth_url, user=user, key=password, auth_version='3', retries=0,
        timeout=60, os_options={'project_name': user, 'project_domain_name': 'Default',
                                'user_domain_name': 'Default', 'region_name': 'RegionOne',
                                'service_type': 'object-store', 'endpoint_type': 'publicURL'})


def openstack(real_proxy, *args, user='demo', cwd=None, timeout=120):
    env = dict(os.environ, **real_proxy.identity.os_env(user))
    for key in ('OS_CLOUD', 'OS_TOKEN', 'OS_AUTH_TYPE', 'OS_STORAGE_URL', 'OS_AUTH_TOKEN'):
        env.pop(key, None)
    done = subprocess.run([OPENSTACK] + list(args), env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, '%s: %s' % (' '.join(args), done.stderr[-2000:])
    return done.stdout


def test_swiftclient_catalog_endpoint_is_the_projects_account(real_proxy):
    conn = swift_conn(real_proxy)
    url, token = conn.get_auth()
    assert url == real_proxy.storage_url('demo')
    headers = conn.head_account()
    assert 'x-account-container-count' in headers
    assert token


@pytest.mark.parametrize('size', SIZES, ids=['0B', '1MiB', '32MiB'])
def test_swiftclient_round_trip(real_proxy, clean_containers, tmp_path, size):
    conn = swift_conn(real_proxy)
    container = 'swc-%s' % uuid.uuid4().hex[:8]
    clean_containers.append(('demo', container))
    src = tmp_path / 'src.bin'
    md5 = make_file(src, size)
    conn.put_container(container)
    with open(src, 'rb') as handle:
        etag = conn.put_object(container, 'dir/obj.bin', handle, content_length=size)
    assert etag == md5
    headers = conn.head_object(container, 'dir/obj.bin')
    assert int(headers['content-length']) == size
    assert headers['etag'].strip('"') == md5
    headers, body = conn.get_object(container, 'dir/obj.bin', resp_chunk_size=MIB)
    got = hashlib.md5()
    total = 0
    for chunk in body:
        got.update(chunk)
        total += len(chunk)
    assert (total, got.hexdigest()) == (size, md5)
    _, listing = conn.get_container(container)
    assert [(o['name'], o['bytes'], o['hash']) for o in listing] == [('dir/obj.bin', size, md5)]
    conn.delete_object(container, 'dir/obj.bin')
    conn.delete_container(container)
    with pytest.raises(swift.ClientException) as err:
        conn.head_container(container)
    assert err.value.http_status == 404


def test_swiftclient_chunked_upload(real_proxy, clean_containers):
    """A body of unknown length goes as Transfer-Encoding: chunked."""
    conn = swift_conn(real_proxy)
    container = 'swc-chunked-%s' % uuid.uuid4().hex[:8]
    clean_containers.append(('demo', container))
    conn.put_container(container)
    data = os.urandom(500_000)
    etag = conn.put_object(container, 'chunked', io.BytesIO(data), chunk_size=65536)
    assert etag == hashlib.md5(data).hexdigest()
    assert conn.get_object(container, 'chunked')[1] == data


def test_openstack_cli_round_trip(real_proxy, clean_containers, tmp_path):
    container = 'osc-%s' % uuid.uuid4().hex[:8]
    clean_containers.append(('demo', container))
    names = {'f0.bin': 0, 'f1m.bin': MIB, 'f32m.bin': 32 * MIB}
    md5s = {name: make_file(tmp_path / name, size) for name, size in names.items()}
    out = json.loads(openstack(real_proxy, 'container', 'create', container, '-f', 'json'))
    assert out[0]['container'] == container
    out = json.loads(openstack(real_proxy, 'object', 'create', container, *sorted(names),
                               '-f', 'json', cwd=tmp_path))
    assert {row['object']: row['etag'] for row in out} == md5s
    listing = json.loads(openstack(real_proxy, 'object', 'list', container, '--long',
                                   '-f', 'json'))
    assert {row['Name']: (row['Bytes'], row['Hash']) for row in listing} == {
        name: (names[name], md5s[name]) for name in names}
    show = json.loads(openstack(real_proxy, 'container', 'show', container, '-f', 'json'))
    assert int(show['object_count']) == 3
    assert int(show['bytes_used']) == sum(names.values())
    for name in names:
        target = tmp_path / ('out-' + name)
        openstack(real_proxy, 'object', 'save', container, name, '--file', str(target))
        assert os.path.getsize(target) == names[name]
        assert file_md5(target) == md5s[name]


@pytest.mark.slow
def test_swiftclient_and_openstack_cli_1gib(real_proxy, clean_containers, tmp_path):
    size = 1024 * MIB
    container = 'big-%s' % uuid.uuid4().hex[:8]
    clean_containers.append(('demo', container))
    src = tmp_path / 'big.bin'
    md5 = make_file(src, size)
    conn = swift_conn(real_proxy)
    conn.put_container(container)
    with open(src, 'rb') as handle:
        assert conn.put_object(container, 'big-swift', handle, content_length=size) == md5
    _, body = conn.get_object(container, 'big-swift', resp_chunk_size=4 * MIB)
    got = hashlib.md5()
    for chunk in body:
        got.update(chunk)
    assert got.hexdigest() == md5
    conn.delete_object(container, 'big-swift')
    openstack(real_proxy, 'object', 'create', container, 'big.bin', cwd=tmp_path, timeout=600)
    out = tmp_path / 'big-out.bin'
    openstack(real_proxy, 'object', 'save', container, 'big.bin', '--file', str(out),
              timeout=600)
    assert file_md5(out) == md5
