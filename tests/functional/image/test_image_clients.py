"""Real OpenStack clients against the image-api daemon: python-glanceclient and the
``openstack`` CLI (token + endpoint until an identity fixture exists)."""
import hashlib
import json
import os
import subprocess

import glanceclient
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
OPENSTACK = os.path.join(ROOT, '.venv', 'bin', 'openstack')


@pytest.fixture(scope='module')
def qcow2_file(tmp_path_factory):
    path = tmp_path_factory.mktemp('img') / 'x.qcow2'
    raw = path.with_suffix('.raw')
    raw.write_bytes(os.urandom(3 * 1024 * 1024))
    subprocess.run(['qemu-img', 'convert', '-f', 'raw', '-O', 'qcow2', str(raw), str(path)],
                   check=True, capture_output=True, timeout=60)
    return path


def _digests(path_or_bytes):
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else open(path_or_bytes,
                                                                        'rb').read()
    return hashlib.md5(data).hexdigest(), hashlib.sha512(data).hexdigest()


def test_glanceclient_flows(image_daemon, image_auth, qcow2_file):
    alice = glanceclient.Client('2', endpoint=image_daemon.url,
                                token=image_auth.token('p-alice'))
    bob = glanceclient.Client('2', endpoint=image_daemon.url, token=image_auth.token('p-bob'))
    img = alice.images.create(name='gc-img', disk_format='qcow2', container_format='bare',
                              os_distro='cirros', tags=['t1'])
    assert img.status == 'queued' and img.os_distro == 'cirros'
    with open(qcow2_file, 'rb') as handle:
        alice.images.upload(img.id, handle)
    got = alice.images.get(img.id)
    md5, sha = _digests(qcow2_file)
    assert got.status == 'active' and got.checksum == md5 and got.os_hash_value == sha
    assert got.virtual_size == 3 * 1024 * 1024
    data = b''.join(alice.images.data(img.id))
    assert _digests(data) == (md5, sha)
    alice.images.update(img.id, name='renamed', hw_disk_bus='virtio', remove_props=['os_distro'])
    got = alice.images.get(img.id)
    assert got.name == 'renamed' and got.hw_disk_bus == 'virtio' and 'os_distro' not in got
    alice.image_tags.update(img.id, 't2')
    alice.image_tags.delete(img.id, 't1')
    assert alice.images.get(img.id).tags == ['t2']
    assert [i.id for i in alice.images.list()] == [img.id]
    assert [i.id for i in alice.images.list(filters={'tag': ['t2']})] == [img.id]
    # Sharing: bob sees it once added, lists it once accepted.
    assert list(bob.images.list()) == []
    alice.image_members.create(img.id, 'p-bob')
    bob.image_members.update(img.id, 'p-bob', 'accepted')
    assert [i.id for i in bob.images.list()] == [img.id]
    assert [m.status for m in alice.image_members.list(img.id)] == ['accepted']
    assert _digests(b''.join(bob.images.data(img.id))) == (md5, sha)
    with pytest.raises(glanceclient.exc.HTTPForbidden):
        bob.images.delete(img.id)
    alice.image_members.delete(img.id, 'p-bob')
    assert list(bob.images.list()) == []
    alice.images.update(img.id, protected=True)
    with pytest.raises(glanceclient.exc.HTTPForbidden):
        alice.images.delete(img.id)
    alice.images.update(img.id, protected=False)
    alice.images.delete(img.id)
    with pytest.raises(glanceclient.exc.HTTPNotFound):
        alice.images.get(img.id)
    assert os.listdir(image_daemon.datadir()) == []


def _openstack(daemon, token, *args):
    cmd = [OPENSTACK, '--os-auth-type', 'admin_token', '--os-token', token,
           '--os-endpoint', daemon.url + '/v2', '--os-image-api-version', '2'] + list(args)
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_openstack_cli(image_daemon, image_auth, qcow2_file, tmp_path):
    token = image_auth.token('p-alice')
    created = json.loads(_openstack(image_daemon, token, 'image', 'create', '--file',
                                    str(qcow2_file), '--disk-format', 'qcow2',
                                    '--container-format', 'bare', 'demo-img', '-f', 'json'))
    assert created['name'] == 'demo-img'
    listed = json.loads(_openstack(image_daemon, token, 'image', 'list', '-f', 'json'))
    assert [i['Name'] for i in listed] == ['demo-img']
    _openstack(image_daemon, token, 'image', 'set', '--property', 'color=blue',
               '--tag', 'gold', '--min-ram', '128', 'demo-img')
    shown = json.loads(_openstack(image_daemon, token, 'image', 'show', 'demo-img', '-f',
                                  'json'))
    assert shown['status'] == 'active' and shown['min_ram'] == 128
    assert 'gold' in shown['tags']
    assert shown['properties']['color'] == 'blue'
    out = tmp_path / 'saved.qcow2'
    _openstack(image_daemon, token, 'image', 'save', '--file', str(out), 'demo-img')
    assert _digests(str(out)) == _digests(str(qcow2_file))
    assert shown['checksum'] == _digests(str(qcow2_file))[0]
    _openstack(image_daemon, token, 'image', 'delete', 'demo-img')
    assert json.loads(_openstack(image_daemon, token, 'image', 'list', '-f', 'json')) == []
