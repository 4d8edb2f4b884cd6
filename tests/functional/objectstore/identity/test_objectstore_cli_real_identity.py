"""The ``objectstore`` CLI end to end: credentials and catalog from the REAL identity, the
proxy on a real storage cluster."""
import hashlib
import json
import os
import subprocess
import sys
import uuid

import pytest
import requests

MIB = 1024 * 1024
SCRIPT = os.path.join(os.path.dirname(sys.executable), 'objectstore')
CMD = [SCRIPT] if os.path.exists(SCRIPT) else [sys.executable, '-m', 'objectstore.cli']


def run(real_proxy, *args, user='demo', env=None, check=True, cwd=None):
    full = dict(os.environ)
    for key in [k for k in full if k.startswith('OS_')]:
        del full[key]
    if user:
        full.update(real_proxy.identity.os_env(user))
    full.update(env or {})
    done = subprocess.run(CMD + [str(a) for a in args], env=full, capture_output=True,
                          text=True, timeout=120, cwd=cwd)
    if check:
        assert done.returncode == 0, '%s -> %s: %s' % (args, done.returncode, done.stderr)
    return done


def run_json(real_proxy, *args, **kw):
    return json.loads(run(real_proxy, '-f', 'json', *args, **kw).stdout)


def make_file(path, size):
    data = os.urandom(size)
    path.write_bytes(data)
    return hashlib.md5(data).hexdigest()


def md5_of(path):
    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.fixture
def container(clean_containers):
    name = 'cli-%s' % uuid.uuid4().hex[:8]
    clean_containers.append(('demo', name))
    clean_containers.append(('demo', name + '_segments'))
    return name


def test_upload_stat_list_download_delete(real_proxy, container, tmp_path):
    md5 = make_file(tmp_path / 'one.bin', MIB)
    out = run_json(real_proxy, 'upload', container, tmp_path / 'one.bin',
                   '--object-name', 'dir/one.bin')
    assert out == [{'Object': 'dir/one.bin', 'Bytes': MIB, 'ETag': md5}]
    make_file(tmp_path / 'empty', 0)
    run(real_proxy, 'upload', container, tmp_path / 'empty')

    account = run_json(real_proxy, 'stat')
    assert int(account['X-Account-Container-Count']) >= 1
    stat = run_json(real_proxy, 'stat', container)
    assert (stat['X-Container-Object-Count'], stat['X-Container-Bytes-Used']) == (
        '2', str(MIB))
    stat = run_json(real_proxy, 'stat', container, 'dir/one.bin')
    assert stat['Content-Length'] == str(MIB) and stat['ETag'].strip('"') == md5

    names = [row['Name'] for row in run_json(real_proxy, 'list')]
    assert container in names
    listing = run_json(real_proxy, 'list', container)
    assert [(r['Name'], r['Bytes'], r['Hash']) for r in listing] == [
        ('dir/one.bin', MIB, md5), ('empty', 0, hashlib.md5(b'').hexdigest())]
    assert [r['Name'] for r in run_json(real_proxy, 'list', container, '--delimiter', '/')] \
        == ['dir/', 'empty']
    assert [r['Name'] for r in run_json(real_proxy, 'list', container, '--prefix', 'dir/')] \
        == ['dir/one.bin']
    table = run(real_proxy, 'list', container).stdout
    assert 'dir/one.bin' in table and '| Name' in table

    target = tmp_path / 'out' / 'one.bin'
    out = run_json(real_proxy, 'download', container, 'dir/one.bin', '-o', target)
    assert out[0]['MD5'] == md5 and out[0]['Bytes'] == MIB
    assert md5_of(target) == md5

    run(real_proxy, 'delete', container, 'dir/one.bin')
    run(real_proxy, 'delete', container, 'empty')
    assert run_json(real_proxy, 'list', container) == []
    run(real_proxy, 'delete', container)
    failed = run(real_proxy, 'stat', container, check=False)
    assert failed.returncode == 1 and '404' in failed.stderr


def test_segmented_upload_is_an_slo_with_progress(real_proxy, container, tmp_path):
    size = 3 * MIB + 12345
    md5 = make_file(tmp_path / 'big.bin', size)
    done = run(real_proxy, 'upload', container, tmp_path / 'big.bin', '--segment-size', MIB,
               '--progress')
    assert '100.0%' in done.stderr and 'big.bin [' in done.stderr, done.stderr
    stat = run_json(real_proxy, 'stat', container, 'big.bin')
    assert stat['X-Static-Large-Object'].lower() == 'true'
    assert stat['Content-Length'] == str(size)
    segments = run_json(real_proxy, 'list', container + '_segments')
    assert [s['Bytes'] for s in segments] == [MIB, MIB, MIB, 12345]
    assert all(s['Name'].startswith('big.bin/') for s in segments)

    target = tmp_path / 'big.out'
    done = run(real_proxy, '-f', 'json', 'download', container, 'big.bin', '-o', target,
               '--progress')
    assert json.loads(done.stdout)[0]['MD5'] == md5
    assert '100.0%' in done.stderr
    assert md5_of(target) == md5
    # no progress bar unless forced (stderr is not a terminal here)
    quiet = run(real_proxy, 'download', container, 'big.bin', '-o', target)
    assert quiet.stderr == ''

    run(real_proxy, 'delete', container, 'big.bin')
    assert run_json(real_proxy, 'list', container + '_segments') == []


def test_post_metadata_and_copy(real_proxy, container, tmp_path):
    md5 = make_file(tmp_path / 'src', 100_000)
    run(real_proxy, 'upload', container, tmp_path / 'src')
    run(real_proxy, 'post', container, '-m', 'Color:blue', '-m', 'owner: the demo team')
    stat = run_json(real_proxy, 'stat', container)
    assert stat['X-Container-Meta-Color'] == 'blue'
    assert stat['X-Container-Meta-Owner'] == 'the demo team'
    run(real_proxy, 'post', container, 'src', '-m', 'kind:raw')
    assert run_json(real_proxy, 'stat', container, 'src')['X-Object-Meta-Kind'] == 'raw'
    run(real_proxy, 'post', '-m', 'tier:gold')
    assert run_json(real_proxy, 'stat')['X-Account-Meta-Tier'] == 'gold'
    run(real_proxy, 'post', '-m', 'tier:')

    run(real_proxy, 'copy', container, 'src', '%s/copies/dst' % container)
    stat = run_json(real_proxy, 'stat', container, 'copies/dst')
    assert stat['ETag'].strip('"') == md5 and stat['X-Object-Meta-Kind'] == 'raw'
    run(real_proxy, 'download', container, 'copies/dst', '-o', tmp_path / 'dst')
    assert md5_of(tmp_path / 'dst') == md5

    bad = run(real_proxy, 'post', container, '-m', 'novalue', check=False)
    assert bad.returncode == 1 and 'key:value' in bad.stderr
    bad = run(real_proxy, 'copy', container, 'src', 'no-slash', check=False)
    assert bad.returncode == 1 and '<container>/<object>' in bad.stderr


def test_errors_are_clear_and_non_zero(real_proxy, container, tmp_path):
    missing = 'missing-%s' % uuid.uuid4().hex[:8]
    for args in (('stat', missing), ('list', missing), ('download', missing, 'obj'),
                 ('delete', missing)):
        done = run(real_proxy, *args, check=False, cwd=tmp_path)
        assert done.returncode == 1, (args, done)
        assert 'objectstore: error:' in done.stderr and '404' in done.stderr, done.stderr
        assert 'Traceback' not in done.stderr
    done = run(real_proxy, 'upload', container, tmp_path / 'no-such-file', check=False)
    assert done.returncode == 1 and 'no-such-file' in done.stderr

    # demo has no access to admin's account: 403 from the proxy
    admin_url = real_proxy.storage_url('admin')
    demo_token = real_proxy.token('demo')
    as_demo = {'OS_STORAGE_URL': admin_url, 'OS_AUTH_TOKEN': demo_token}
    done = run(real_proxy, 'list', user=None, env=as_demo, check=False)
    assert done.returncode == 1 and '403' in done.stderr, done.stderr
    assert 'Traceback' not in done.stderr

    # wrong password: an authentication error, not a traceback
    done = run(real_proxy, 'list', env={'OS_PASSWORD': 'wrong'}, check=False)
    assert done.returncode == 1 and 'authentication failed' in done.stderr, done.stderr
    assert 'Traceback' not in done.stderr

    # proxy unreachable
    env = {'OS_STORAGE_URL': 'http://127.0.0.1:9/v1/AUTH_x', 'OS_AUTH_TOKEN': demo_token}
    done = run(real_proxy, 'stat', user=None, env=env, check=False)
    assert done.returncode == 1 and 'Traceback' not in done.stderr, done.stderr


def test_read_acl_set_with_the_cli_opens_admins_container_to_demo(real_proxy,
                                                                  clean_containers, tmp_path):
    shared = 'cli-shared-%s' % uuid.uuid4().hex[:8]
    clean_containers.append(('admin', shared))
    md5 = make_file(tmp_path / 'doc', 5000)
    run(real_proxy, 'upload', shared, tmp_path / 'doc', user='admin')
    as_demo = {'OS_STORAGE_URL': real_proxy.storage_url('admin'),
               'OS_AUTH_TOKEN': real_proxy.token('demo')}
    denied = run(real_proxy, 'download', shared, 'doc', '-o', tmp_path / 'got', user=None,
                 env=as_demo, check=False)
    assert denied.returncode == 1 and '403' in denied.stderr
    run(real_proxy, 'post', shared, '--read-acl', '%s:*' % real_proxy.project_id('demo'),
        user='admin')
    run(real_proxy, 'download', shared, 'doc', '-o', tmp_path / 'got', user=None, env=as_demo)
    assert md5_of(tmp_path / 'got') == md5
    assert run_json(real_proxy, 'stat', shared, user='admin')['X-Container-Read'] == \
        '%s:*' % real_proxy.project_id('demo')
    # the public URL the CLI shares with .r:* needs no token at all
    run(real_proxy, 'post', shared, '--read-acl', '.r:*', user='admin')
    resp = requests.get('%s/%s/doc' % (real_proxy.storage_url('admin'), shared), timeout=30)
    assert resp.status_code == 200 and hashlib.md5(resp.content).hexdigest() == md5
