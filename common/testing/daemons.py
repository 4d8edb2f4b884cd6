"""Start a project daemon as a subprocess with its own config and state, and stop it."""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def wait_port(port, proc=None, timeout=30):
    """Wait until something listens on loopback ``port``; raise if ``proc`` exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError('process serving port %d exited with %s' % (port, proc.returncode))
        try:
            socket.create_connection(('127.0.0.1', port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError('nothing listens on port %d after %ss' % (port, timeout))


def write_ini(path, sections):
    """Write ``{section: {key: value}}`` as an ini file."""
    with open(path, 'w') as handle:
        for section, values in sections.items():
            handle.write('[%s]\n' % section)
            for key, value in values.items():
                handle.write('%s = %s\n' % (key, value))
            handle.write('\n')
    return path


def wait_http(url, timeout=30, proc=None, log_path=None):
    """Wait until ``url`` answers any HTTP status; raise with the daemon's log if not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            break
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    log = ''
    if log_path and os.path.exists(log_path):
        with open(log_path) as handle:
            log = handle.read()[-4000:]
    raise RuntimeError('%s did not come up within %ss\n%s' % (url, timeout, log))


class Daemon:
    """A running daemon subprocess: ``python -m <module> --config-file <conf>``."""

    def __init__(self, module, config_file, log_path, args=(), env=None):
        self.module = module
        self.config_file = config_file
        self.log_path = log_path
        self.args = list(args)
        self.env = dict(os.environ, **(env or {}))
        self.env['PYTHONPATH'] = REPO + os.pathsep + self.env.get('PYTHONPATH', '')
        self.proc = None

    def start(self):
        log = open(self.log_path, 'ab')
        self.proc = subprocess.Popen(
            [sys.executable, '-m', self.module, '--config-file', self.config_file] + self.args,
            stdout=log, stderr=subprocess.STDOUT, env=self.env, cwd=REPO,
            start_new_session=True)
        log.close()
        return self

    def stop(self, timeout=20):
        """SIGTERM, then SIGKILL if it does not exit in ``timeout``; return the exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(5)

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    def log(self):
        with open(self.log_path, errors='replace') as handle:
            return handle.read()


def private_rabbit_vhost(prefix='cs-test'):
    """A RabbitMQ virtual host of its own (deleted when the process exits), so daemons a
    test starts never exchange messages with another cloud running on this machine."""
    import atexit
    import uuid
    name = '%s-%s' % (prefix, uuid.uuid4().hex[:8])
    subprocess.run(['rabbitmqctl', '-q', 'add_vhost', name], check=True, capture_output=True)
    subprocess.run(['rabbitmqctl', '-q', 'set_permissions', '-p', name, 'guest', '.*', '.*',
                    '.*'], check=True, capture_output=True)
    atexit.register(subprocess.run, ['rabbitmqctl', '-q', 'delete_vhost', name],
                    capture_output=True)
    return 'amqp://guest:guest@127.0.0.1:5672/%s' % name
