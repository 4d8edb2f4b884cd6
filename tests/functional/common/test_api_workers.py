"""``[api] workers``: several processes serve one API on a shared socket; a dead worker is
replaced, SIGHUP and SIGTERM reach them all, and none outlives a parent killed with -9."""
import concurrent.futures
import os
import signal
import socket
import time

import pytest

from common.testing import identity as identity_testing

pytestmark = pytest.mark.timeout(180)


def children(pid):
    found = []
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open('/proc/%s/stat' % entry) as handle:
                    fields = handle.read().rsplit(')', 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != 'Z':
                found.append(int(entry))
    return sorted(found)


def two(parent):
    now = children(parent)
    return now if len(now) == 2 else None


def wait_for(check, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError('not within %ss: %s' % (timeout, what))


def port_open(port):
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(('127.0.0.1', port)) == 0


@pytest.fixture
def identity(tmp_path):
    server = identity_testing.IdentityServer(str(tmp_path), api_options={'workers': 2})
    server.start()
    yield server
    server.stop()


def tokens_issued(identity, count):
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda _: identity.token() is not None, range(count)))


def test_workers_share_the_port_and_are_replaced(identity):
    parent = identity.daemon.proc.pid
    workers = wait_for(lambda: two(parent), 20, 'two workers')
    assert all(tokens_issued(identity, 16))
    # A worker killed is replaced; the API keeps answering meanwhile.
    os.kill(workers[0], signal.SIGKILL)
    def two_without_the_dead():
        now = children(parent)
        return now if len(now) == 2 and workers[0] not in now else None
    replaced = wait_for(two_without_the_dead, 20, 'a new worker')
    assert workers[1] in replaced
    assert all(tokens_issued(identity, 8))
    # SIGHUP: every worker reloads its configuration and keeps serving.
    os.kill(parent, signal.SIGHUP)
    time.sleep(1)
    assert children(parent) == replaced and all(tokens_issued(identity, 4))
    assert 'Traceback' not in identity.daemon.log()
    # SIGTERM: all stop, the parent exits 0.
    assert identity.daemon.stop() == 0
    assert not port_open(identity.port)


def test_no_worker_outlives_a_parent_killed_with_sigkill(identity):
    parent = identity.daemon.proc.pid
    workers = wait_for(lambda: two(parent), 20, 'two workers')
    identity.daemon.kill()
    wait_for(lambda: not any(os.path.exists('/proc/%d' % pid) and
                             open('/proc/%d/stat' % pid).read().rsplit(')', 1)[1].split()[0]
                             != 'Z' for pid in workers), 20, 'workers gone')
    wait_for(lambda: not port_open(identity.port), 10, 'port released')
