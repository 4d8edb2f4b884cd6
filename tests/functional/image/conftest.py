"""Fixtures of the image functional tests: the real image-api daemon as a subprocess."""
import importlib.util
import os
import signal
import socket
import subprocess
import time

import pytest
import requests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
PYTHON = os.path.join(ROOT, '.venv', 'bin', 'python')


def _tokens_module():
    spec = importlib.util.spec_from_file_location(
        'image_tokens', os.path.join(ROOT, 'tests', 'unit', 'image', 'image_tokens.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='session')
def image_auth(tmp_path_factory):
    """Where tests get tokens from (the one place to switch to a real identity service)."""
    source = _tokens_module().TokenSource(tmp_path_factory.mktemp('image-keys'))
    yield source
    source.close()


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class Daemon:
    """One image-api process with its own config, state directory and port."""

    def __init__(self, tmp_path, auth_url, db_url=None, backends='file1:file',
                 extra=''):
        self.dir = tmp_path
        self.port = free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.conf = tmp_path / 'image.conf'
        self.log = tmp_path / 'image-api.log'
        names = [b.split(':')[0] for b in backends.split(',')]
        self.conf.write_text(
            '[DEFAULT]\nstate_path = %s\nenabled_backends = %s\nlog_file = %s\n%s\n'
            '[api]\nbind_host = 127.0.0.1\nbind_port = %d\npaste_config = %s\n'
            '[database]\n%s\n'
            '[glance_store]\ndefault_backend = %s\n'
            '[keystone_authtoken]\nwww_authenticate_uri = %s\nrevocation_push = false\n'
            '[oslo_policy]\npolicy_file = %s\n'
            % (tmp_path / 'state', backends, self.log, extra, self.port,
               os.path.join(ROOT, 'etc', 'image', 'api-paste.ini'),
               'connection = %s' % db_url if db_url else '', names[0].strip(), auth_url,
               os.path.join(ROOT, 'etc', 'image', 'policy.yaml')))
        self.proc = None

    def add_section(self, text):
        with open(self.conf, 'a') as handle:
            handle.write(text)

    def start(self, timeout=30):
        self.proc = subprocess.Popen([PYTHON, '-m', 'image.cmd', '--config-file',
                                      str(self.conf)], cwd=ROOT, stdout=subprocess.DEVNULL,
                                     stderr=open(self.dir / 'stderr.txt', 'ab'))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError('image-api exited %s: %s' % (
                    self.proc.returncode, (self.dir / 'stderr.txt').read_text()[-2000:]))
            try:
                if requests.get(self.url + '/versions', timeout=1).status_code == 200:
                    return self
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError('image-api did not answer within %ss' % timeout)

    def stop(self, sig=signal.SIGTERM):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def rss_kib(self):
        """Peak resident memory (VmHWM) of the daemon so far."""
        with open('/proc/%d/status' % self.proc.pid) as handle:
            for line in handle:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1])
        raise RuntimeError('no VmHWM')

    def datadir(self, store='file1'):
        return self.dir / 'state' / 'images' / store


@pytest.fixture
def image_daemon_factory(tmp_path, image_auth):
    started = []

    def make(name='d', **kw):
        path = tmp_path / name
        path.mkdir()
        daemon = Daemon(path, image_auth.url, **kw)
        started.append(daemon)
        return daemon

    yield make
    for daemon in started:
        daemon.stop()


@pytest.fixture
def image_daemon(image_daemon_factory):
    return image_daemon_factory(backends='file1:file,file2:file').start()


class Api:
    """requests against a daemon as one project."""

    def __init__(self, daemon, auth, project='p-alice', roles=('member', 'reader')):
        self.daemon, self.auth = daemon, auth
        self.token = auth.token(project, roles)
        self.s = requests.Session()
        self.s.headers['X-Auth-Token'] = self.token

    def __call__(self, method, path, **kw):
        kw.setdefault('timeout', 60)
        return self.s.request(method, self.daemon.url + path, **kw)


@pytest.fixture
def image_api_for(image_auth):
    """``image_api_for(daemon, project, roles)``: requests to a daemon as that caller."""
    def make(daemon, project='p-alice', roles=('member', 'reader')):
        return Api(daemon, image_auth, project, roles)
    return make


@pytest.fixture
def image_api(image_daemon, image_api_for):
    def make(project='p-alice', roles=('member', 'reader')):
        return image_api_for(image_daemon, project, roles)
    return make

