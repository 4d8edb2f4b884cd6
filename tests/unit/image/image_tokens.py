"""The one place image tests get their callers from.

Both sources answer the same calls, so a test is written once against either:
``token(project='p-alice', roles=('member', 'reader'))`` a token of a user of that project
with those roles, ``project_id(project)`` the id that token is scoped to (an image's
``owner``, a member id), and ``url`` (identity, for ``[keystone_authtoken]``).

- ``TokenSource`` (unit tests, fast): tokens signed here with a key repository whose
  public keys a tiny HTTP server publishes at /v3/auth/keys; project ids are the names.
- ``IdentityTokens`` (functional tests): a real identity-api daemon (the ``identity``
  fixture of tests/conftest.py); projects and users are created there on first use and
  tokens come from password authentication.
"""
import http.server
import json
import threading
import time
import uuid

from common.auth import tokens


class TokenSource:
    def __init__(self, key_dir):
        self.repo = tokens.KeyRepository(str(key_dir))
        self.repo.setup()
        repo = self.repo

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path != '/v3/auth/keys':
                    self.send_error(404)
                    return
                body = json.dumps(repo.jwks()).encode()
                self.send_response(200)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = 'http://127.0.0.1:%d' % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def project_id(self, project):
        return project

    def token(self, project='p-alice', roles=('member', 'reader'), user=None, lifetime=3600):
        now = int(time.time())
        claims = {'sub': user or 'u-' + project, 'name': user or 'user-' + project,
                  'udom': {'id': 'default', 'name': 'Default'}, 'methods': ['password'],
                  'iat': now, 'exp': now + lifetime, 'audit_ids': [uuid.uuid4().hex[:22]],
                  'project': {'id': project, 'name': project,
                              'domain': {'id': 'default', 'name': 'Default'}},
                  'roles': [{'id': r, 'name': r} for r in roles]}
        return tokens.sign(claims, self.repo)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class IdentityTokens:
    """Callers from a real identity daemon (``common.testing.identity.IdentityServer``).

    ``token(project, roles)`` is the token of user ``<project>-<roles>`` (created with a
    role assignment for each role on project ``<project>``, itself created if missing);
    tokens are cached (an hour of lifetime) unless ``fresh=True``.
    """

    def __init__(self, identity):
        self.identity = identity
        self.url = identity.url
        self.admin = identity.token()
        self._projects = dict(identity.project_ids)
        self._roles = None
        self._users = {}
        self._tokens = {}

    def _call(self, method, path, body=None, expect=(200, 201, 204)):
        status, _headers, data = self.identity.request(method, path, body, self.admin)
        if status not in expect:
            raise RuntimeError('%s %s: %s %s' % (method, path, status, data))
        return data

    def project_id(self, project):
        if project not in self._projects:
            found = self._call('GET', '/v3/projects?name=%s' % project)['projects']
            if found:
                self._projects[project] = found[0]['id']
            else:
                self._projects[project] = self._call('POST', '/v3/projects', {
                    'project': {'name': project}})['project']['id']
        return self._projects[project]

    def role_id(self, role):
        if self._roles is None or role not in self._roles:
            self._roles = {r['name']: r['id'] for r in self._call('GET', '/v3/roles')['roles']}
        if role not in self._roles:
            self._roles[role] = self._call('POST', '/v3/roles', {
                'role': {'name': role}})['role']['id']
        return self._roles[role]

    def user(self, project, roles, name=None):
        """``(name, password, id)`` of the user (``name`` or ``<project>-<roles>``)
        holding ``roles`` on ``project``."""
        name = name or '%s-%s' % (project, '-'.join(sorted(roles)))
        if name not in self._users:
            project_id = self.project_id(project)
            password = 'pw-' + uuid.uuid4().hex
            found = self._call('GET', '/v3/users?name=%s' % name)['users']
            if found:
                user_id = found[0]['id']
                self._call('PATCH', '/v3/users/%s' % user_id, {'user': {'password': password}})
            else:
                user_id = self._call('POST', '/v3/users', {'user': {
                    'name': name, 'password': password,
                    'default_project_id': project_id}})['user']['id']
            for role in roles:
                self._call('PUT', '/v3/projects/%s/users/%s/roles/%s'
                           % (project_id, user_id, self.role_id(role)))
            self._users[name] = (name, password, user_id)
        return self._users[name]

    def token(self, project='p-alice', roles=('member', 'reader'), fresh=False):
        key = (project, tuple(sorted(roles)))
        if fresh or key not in self._tokens:
            name, password, _ = self.user(project, roles)
            self._tokens[key] = self.identity.token(name, password, project=project)
        return self._tokens[key]

    def os_env(self, project='p-alice', roles=('member', 'reader')):
        """OS_* variables (password auth) of the user ``token(project, roles)`` names."""
        name, password, _ = self.user(project, roles)
        env = self.identity.os_env('demo')
        env.update(OS_USERNAME=name, OS_PASSWORD=password, OS_PROJECT_NAME=project)
        return env

    def close(self):
        pass
