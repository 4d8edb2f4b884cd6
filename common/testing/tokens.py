"""TEST HELPER: tokens identity would issue, minted here, and the public keys published
the way identity publishes them (``/v3/auth/keys``), for unit tests of any service.

``url`` goes into ``[keystone_authtoken] www_authenticate_uri``; ``token(project, roles)``
is a token scoped to project ``project`` (its id is the name).  The keys are served by a
separate process: an in-process server thread would share the test's (maybe green) sockets.
"""
import json
import os
import subprocess
import sys
import time
import uuid

from common.auth import tokens
from common.testing import daemons


class TokenSource:
    def __init__(self, path):
        self.repo = tokens.KeyRepository(os.path.join(path, 'keys'))
        self.repo.setup()
        docroot = os.path.join(path, 'www')
        os.makedirs(os.path.join(docroot, 'v3', 'auth'))
        with open(os.path.join(docroot, 'v3', 'auth', 'keys'), 'w') as handle:
            json.dump(self.repo.jwks(), handle)
        port = daemons.free_port()
        self.proc = subprocess.Popen(
            [sys.executable, '-m', 'http.server', str(port), '--bind', '127.0.0.1',
             '--directory', docroot], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = 'http://127.0.0.1:%d' % port
        daemons.wait_http(self.url + '/v3/auth/keys', proc=self.proc)

    def project_id(self, project):
        return project

    def token(self, project='demo', roles=('member', 'reader'), user=None, lifetime=3600):
        now = int(time.time())
        user = user or 'user-%s' % project
        return tokens.sign({
            'sub': user, 'name': user, 'udom': {'id': 'default', 'name': 'Default'},
            'methods': ['password'], 'iat': now, 'exp': now + lifetime,
            'audit_ids': [uuid.uuid4().hex[:22]],
            'project': {'id': project, 'name': project,
                        'domain': {'id': 'default', 'name': 'Default'}},
            'roles': [{'id': r, 'name': r} for r in roles]}, self.repo)

    def admin(self):
        return self.token('admin', roles=('admin', 'member', 'reader'), user='admin')

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
