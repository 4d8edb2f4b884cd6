"""The ``image`` CLI against the daemon: password auth and the catalog (OS_* variables),
and token + endpoint auth."""
import hashlib
import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
PYTHON = os.path.join(ROOT, '.venv', 'bin', 'python')


def _run(daemon, os_env, *args, expect=0):
    """``image`` as the user of ``os_env`` (password auth, endpoint from the catalog)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env.update(os_env)
    result = subprocess.run([PYTHON, '-m', 'image.cli'] + list(args), capture_output=True,
                            text=True, timeout=120, cwd=ROOT, env=env)
    assert result.returncode == expect, result.stderr
    return result


def test_image_cli_token_endpoint(image_daemon, image_auth):
    env = {'OS_AUTH_TYPE': 'admin_token', 'OS_TOKEN': image_auth.token('p-alice')}
    out = _run(image_daemon, env, '--os-endpoint-override', image_daemon.url, '-f', 'json',
               'list')
    assert json.loads(out.stdout) == []


def test_image_cli_flow(image_daemon, image_auth, tmp_path):
    alice, bob = image_auth.os_env('p-alice'), image_auth.os_env('p-bob')
    bob_id = image_auth.project_id('p-bob')
    src = tmp_path / 'disk.raw'
    src.write_bytes(os.urandom(3 * 1024 * 1024 + 5))
    out = _run(image_daemon, alice, '-f', 'json', 'create', 'cli-img', '--file', str(src),
               '--disk-format', 'raw', '--container-format', 'bare', '--property', 'a=b',
               '--tag', 'red')
    img = json.loads(out.stdout)
    assert img['status'] == 'active' and img['a'] == 'b' and img['tags'] == ['red']
    assert 'upload' in out.stderr and '100.0%' in out.stderr  # the progress bar
    listed = json.loads(_run(image_daemon, alice, '-f', 'json', 'list').stdout)
    assert [i['Name'] for i in listed] == ['cli-img']
    _run(image_daemon, alice, 'set', 'cli-img', '--name', 'renamed', '--min-ram', '64',
         '--remove-property', 'a')
    shown = json.loads(_run(image_daemon, alice, '-f', 'json', 'show', 'renamed').stdout)
    assert shown['min_ram'] == 64 and 'a' not in shown
    _run(image_daemon, alice, 'tag', 'add', 'renamed', 'blue')
    _run(image_daemon, alice, 'tag', 'remove', 'renamed', 'red')
    saved = tmp_path / 'saved.raw'
    out = _run(image_daemon, alice, 'save', 'renamed', '--file', str(saved))
    assert 'download' in out.stderr
    assert hashlib.sha512(saved.read_bytes()).hexdigest() == \
        hashlib.sha512(src.read_bytes()).hexdigest()
    _run(image_daemon, alice, 'member', 'add', 'renamed', bob_id)
    _run(image_daemon, bob, 'member', 'set', shown['id'], bob_id, 'accepted')
    members = json.loads(_run(image_daemon, alice, '-f', 'json', 'member', 'list',
                              'renamed').stdout)
    assert members[0]['Member ID'] == bob_id and members[0]['Status'] == 'accepted'
    err = _run(image_daemon, bob, 'delete', shown['id'], expect=1)
    assert 'another project' in err.stderr
    _run(image_daemon, alice, 'member', 'remove', 'renamed', bob_id)
    _run(image_daemon, alice, 'delete', 'renamed')
    assert json.loads(_run(image_daemon, alice, '-f', 'json', 'list').stdout) == []
