"""devstack's supervisor configuration (tools/devstack/supervise.py), proven with a real
supervisord on a tiny program: killed with -9 it is back within 5 s, and the status table
tells the restart and why the daemon died."""
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

TOOL = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'tools', 'devstack',
                    'supervise.py')
spec = importlib.util.spec_from_file_location('devstack_supervise', TOOL)
supervise = importlib.util.module_from_spec(spec)
spec.loader.exec_module(supervise)


def test_program_quotes_its_command_and_escapes_percent(tmp_path):
    text = supervise.render_program(str(tmp_path), 'x-api', '/srv',
                                    ['/bin/x', '--config-file', '/a b/x.conf', '50%'])
    assert "command = /bin/x --config-file '/a b/x.conf' 50%%" in text
    assert 'autorestart = true' in text and 'startretries = 5' in text
    for name, command in (('x;y', ['/bin/true']), ('x', ['/bin/sh', '-c', 'a ;b']),
                          ('x', ['/bin/sh', '-c', 'a #b'])):
        with pytest.raises(ValueError):
            supervise.render_program(str(tmp_path), name, '/', command)


def test_exits_counted_since_the_last_supervisord_start():
    log = [
        '2026-11-27 10:00:00,001 INFO exited: a (terminated by SIGKILL; not expected)\n',
        '2026-11-27 10:00:01,001 INFO supervisord started with pid 7\n',
        "2026-11-27 10:00:02,001 INFO spawned: 'a' with pid 8\n",
        '2026-11-27 10:00:05,001 WARN exited: a (terminated by SIGKILL; not expected)\n',
        '2026-11-27 10:00:06,001 INFO exited: a (exit status 1; not expected)\n',
        '2026-11-27 10:00:09,001 INFO gave up: b entered FATAL state, too many start retries\n',
    ]
    found = supervise.exits_since_start(log)
    assert found['a'] == (2, 'exit status 1; not expected at 10:00:06')
    assert found['b'][0] == 0 and found['b'][1].startswith('gave up')


@pytest.mark.skipif(not shutil.which('supervisord'), reason='tools/install.sh installs it')
def test_killed_program_is_back_within_5_s_and_status_tells_why(tmp_path):
    state = str(tmp_path)
    os.makedirs(os.path.join(state, 'logs'))
    run = [sys.executable, TOOL]
    subprocess.run(run + ['main-conf', state], check=True)
    subprocess.run(run + ['program', state, 'sleeper', state, '--', 'sleep', '600'],
                   check=True)
    conf = os.path.join(state, 'etc', 'supervisord.conf')
    subprocess.run(['supervisord', '-c', conf], check=True, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def table():
        out = subprocess.run(run + ['status', state], capture_output=True, text=True,
                             check=True).stdout
        return {line.split()[0]: line.split() for line in out.splitlines()[1:]}

    def wait_running(old_pid=None):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            row = table().get('sleeper')
            if row and row[2] == 'running' and row[1] != old_pid:
                return row
            time.sleep(0.1)
        raise AssertionError('sleeper not running again within 5 s: %s' % table())

    try:
        first = wait_running()
        os.kill(int(first[1]), signal.SIGKILL)
        killed = time.monotonic()
        again = wait_running(old_pid=first[1])
        assert time.monotonic() - killed < 5
        assert again[3] == '1', again
        assert 'SIGKILL' in ' '.join(again[4:])
    finally:
        subprocess.run(['supervisorctl', '-c', conf, 'shutdown'], capture_output=True)
        pidfile = os.path.join(state, 'run', 'supervisor', 'supervisord.pid')
        for _ in range(100):
            if not os.path.exists(pidfile):
                break
            time.sleep(0.1)


def test_orphans_are_the_live_daemons_a_dead_supervisor_spawned(tmp_path):
    """After a supervisord was killed, stop finds its daemons by the pids it logged, and
    only processes whose command line still names this cloud's state directory."""
    state = str(tmp_path)
    os.makedirs(os.path.join(state, 'logs'))
    daemon = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)',
                               os.path.join(state, 'etc', 'x.conf')])
    try:
        with open(os.path.join(state, 'logs', 'supervisord.log'), 'w') as log:
            log.write("2026-11-27 10:00:00,001 INFO spawned: 'old' with pid 1\n"
                      '2026-11-27 10:00:01,001 INFO supervisord started with pid 7\n'
                      "2026-11-27 10:00:02,001 INFO spawned: 'x-api' with pid %d\n"
                      "2026-11-27 10:00:02,001 INFO spawned: 'other' with pid %d\n"
                      % (daemon.pid, os.getpid()))
        for _ in range(50):  # until the child has exec'd
            with open('/proc/%d/cmdline' % daemon.pid, 'rb') as handle:
                if b'x.conf' in handle.read():
                    break
            time.sleep(0.1)
        assert supervise.orphans(state) == [daemon.pid]
    finally:
        daemon.kill()
        daemon.wait()
    assert supervise.orphans(state) == []
