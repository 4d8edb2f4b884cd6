"""Fixtures for the object store proxy functional tests.

``proxy`` starts the real proxy daemon (``python -m objectstore.proxy.server``) against
the ``storage_cluster`` fixture, with a TEST FAKE of identity in this process: it serves
the public token-signing keys (/v3/auth/keys) of a key repository the tests mint tokens
with, and the S3 credential check (/v3/s3tokens) for a few known EC2-style credentials.
"""
import base64
import hashlib
import hmac
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid

import pytest

from common.auth import tokens

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))))
PYTHON = os.path.join(REPO, '.venv', 'bin', 'python')


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class FakeIdentity:
    """TEST FAKE of identity: signing keys + s3tokens for known credentials."""

    def __init__(self, key_dir):
        self.repo = tokens.KeyRepository(key_dir)
        self.repo.setup()
        self.credentials = {}  # access -> (secret, token body)
        self.s3_calls = 0
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *_args):
                pass

            def _send(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path.startswith('/v3/auth/keys'):
                    return self._send(200, fake.repo.jwks())
                return self._send(404, {'error': {'code': 404}})

            def do_POST(self):
                length = int(self.headers.get('Content-Length') or 0)
                body = json.loads(self.rfile.read(length) or b'{}')
                if self.path.rstrip('/') != '/v3/s3tokens':
                    return self._send(404, {'error': {'code': 404}})
                fake.s3_calls += 1
                status, answer = fake.check_s3(body)
                return self._send(status, answer)

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.port = self.server.server_address[1]
        self.url = 'http://127.0.0.1:%d' % self.port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def check_s3(self, body):
        """Keystone's s3tokens: verify an AWS SigV4 signature of a string to sign."""
        creds = body.get('credentials') or {}
        known = self.credentials.get(creds.get('access'))
        if known is None:
            return 401, {'error': {'code': 401, 'message': 'unknown access key'}}
        secret, token = known
        string_to_sign = base64.urlsafe_b64decode(creds['token']).decode()
        scope = string_to_sign.split('\n')[2].split('/')
        key = ('AWS4' + secret).encode()
        for part in scope:  # date, region, service, aws4_request
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, creds.get('signature') or ''):
            return 401, {'error': {'code': 401, 'message': 'signature mismatch'}}
        return 200, {'token': token}

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class User:
    def __init__(self, identity, project_id, roles, name, domain_id='default'):
        self.identity = identity
        self.project_id = project_id
        self.user_id = uuid.uuid4().hex
        self.name = name
        self.roles = roles
        self.account = 'AUTH_' + project_id
        self.access = 'AK' + uuid.uuid4().hex[:18].upper()
        self.secret = uuid.uuid4().hex
        domain = {'id': domain_id, 'name': domain_id.capitalize()}
        project = {'id': project_id, 'name': 'p-' + name, 'domain': domain}
        identity.credentials[self.access] = (self.secret, {
            'user': {'id': self.user_id, 'name': name, 'domain': domain},
            'project': project, 'roles': [{'id': r, 'name': r} for r in roles],
            'methods': ['ec2credential'], 'expires_at': tokens.iso(time.time() + 3600)})
        now = int(time.time())
        self.token = tokens.sign({
            'sub': self.user_id, 'name': name, 'udom': domain,
            'methods': ['password'], 'iat': now, 'exp': now + 7200,
            'audit_ids': [uuid.uuid4().hex[:22]], 'project': project,
            'roles': [{'id': r, 'name': r} for r in roles]}, identity.repo)


class ProxyServer:
    def __init__(self, cluster, root, identity):
        self.cluster = cluster
        self.root = root
        self.identity = identity
        self.port = _free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.conf_path = os.path.join(root, 'proxy-server.conf')
        # container sync: one realm whose one cluster is this proxy
        self.realms_path = os.path.join(root, 'container-sync-realms.conf')
        with open(self.realms_path, 'w') as handle:
            handle.write('[realm1]\nkey = %s\ncluster_local = %s/v1/\n'
                         % (uuid.uuid4().hex, self.url))
        with open(self.conf_path, 'w') as handle:
            handle.write(
                '[DEFAULT]\nstate_path = %s\n\n[api]\nbind_host = 127.0.0.1\nbind_port = %d\n'
                'paste_config = %s\nclient_socket_timeout = 60\n\n'
                '[objectstore]\nhash_path_prefix = %s\nhash_path_suffix = %s\n'
                'ring_dir = %s\ncontainer_sync_realms_file = %s\n\n'
                '[proxy]\nconn_timeout = 0.5\nnode_timeout = 5\n'
                'cors_allow_origin = https://global.example.com\n\n'
                '[keystone_authtoken]\nwww_authenticate_uri = %s\nrevocation_push = false\n'
                % (root, self.port, os.path.join(REPO, 'etc/objectstore/proxy-paste.ini'),
                   cluster.hash_path_prefix, cluster.hash_path_suffix, cluster.ring_dir,
                   self.realms_path, identity.url))
        self.log_path = os.path.join(root, 'proxy.log')
        self.proc = None

    def start(self):
        log = open(self.log_path, 'ab')
        self.proc = subprocess.Popen([PYTHON, '-m', 'objectstore.proxy.server',
                                      '--config-file', self.conf_path],
                                     cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError('proxy exited: %s' % self.log_tail())
            try:
                with socket.create_connection(('127.0.0.1', self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError('proxy did not start: %s' % self.log_tail())

    def log_tail(self):
        with open(self.log_path, 'rb') as handle:
            return handle.read()[-4000:].decode('utf-8', 'replace')

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def user(self, name, roles=('member',), project_id=None, domain_id='default'):
        """A user (a signed token and an EC2 credential) with ``roles`` on its own project
        (or ``project_id``); user and project named ``name``/``p-<name>`` in ``domain_id``."""
        return User(self.identity, project_id or uuid.uuid4().hex, list(roles), name,
                    domain_id)

    def storage_url(self, user):
        return '%s/v1/%s' % (self.url, user.account)


@pytest.fixture(scope='session')
def proxy(storage_cluster):
    root = tempfile.mkdtemp(prefix='objectstore-proxy-')
    identity = FakeIdentity(os.path.join(root, 'keys'))
    server = ProxyServer(storage_cluster, root, identity)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        identity.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def alice(proxy):
    return proxy.user('alice')


@pytest.fixture
def bob(proxy):
    return proxy.user('bob')
