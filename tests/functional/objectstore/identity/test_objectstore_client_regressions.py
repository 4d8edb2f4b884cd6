"""Real clients against the proxy (issue 12): ``swift list C --prefix a/ --delimiter /``
ends and lists each pseudo-folder once; every answer carries a Swift-form transaction id."""
import os
import re
import subprocess
import sys
import uuid

import pytest
import requests

from swiftclient import client as swift

SWIFT = os.path.join(os.path.dirname(sys.executable), 'swift')
TX = re.compile(r'^tx[0-9a-f]{21}-[0-9a-f]{10}$')

pytestmark = pytest.mark.timeout(180)


def _env(real_proxy, user='demo'):
    env = {k: v for k, v in os.environ.items() if not k.startswith(('OS_', 'ST_'))}
    env.update(real_proxy.identity.os_env(user))
    return env


def test_swift_list_with_prefix_and_delimiter_ends(real_proxy, clean_containers):
    container = 'lst-%s' % uuid.uuid4().hex[:8]
    clean_containers.append(('demo', container))
    token = real_proxy.token('demo')
    base = '%s/%s' % (real_proxy.storage_url('demo'), container)
    assert requests.put(base, headers={'X-Auth-Token': token}, timeout=30).status_code == 201
    for name in ('a/b/1', 'a/b/2', 'a/c/1', 'a/d', 'z'):
        resp = requests.put('%s/%s' % (base, name), data=b'x',
                            headers={'X-Auth-Token': token}, timeout=30)
        assert resp.status_code == 201
    # swift pages on the last entry until a page comes back empty.
    done = subprocess.run([SWIFT, 'list', container, '--prefix', 'a/', '--delimiter', '/'],
                          env=_env(real_proxy), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ['a/b/', 'a/c/', 'a/d']
    # The same through the library, one entry per page.
    conn = swift.Connection(preauthurl=real_proxy.storage_url('demo'), preauthtoken=token,
                            retries=0, timeout=30)
    _, listing = conn.get_container(container, prefix='a/', delimiter='/', limit=1,
                                    full_listing=True)
    assert [e.get('subdir') or e['name'] for e in listing] == ['a/b/', 'a/c/', 'a/d']
    _, listing = conn.get_container(container, prefix='a/', delimiter='/', marker='a/c/')
    assert [e.get('subdir') or e['name'] for e in listing] == ['a/d']


def test_every_answer_has_a_swift_transaction_id(real_proxy):
    token = real_proxy.token('demo')
    url = real_proxy.storage_url('demo')
    answers = [requests.head(url, headers={'X-Auth-Token': token}, timeout=30),
               requests.get(url + '/no-such-%s' % uuid.uuid4().hex[:6],
                            headers={'X-Auth-Token': token}, timeout=30),
               requests.get(url, timeout=30)]
    assert [r.status_code for r in answers] == [204, 404, 401]
    for resp in answers:
        assert TX.match(resp.headers['X-Trans-Id']), resp.headers
        assert resp.headers['X-Openstack-Request-Id'] == resp.headers['X-Trans-Id']
    assert len({r.headers['X-Trans-Id'] for r in answers}) == 3
