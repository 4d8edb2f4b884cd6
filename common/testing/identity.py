"""A real identity-api daemon for tests: bootstrapped admin, a demo user and project."""
import json
import os
import subprocess
import sys
import urllib.request

from common.testing import daemons


class IdentityServer:
    """identity-api on a free loopback port with its own SQLite DB and signing keys."""

    def __init__(self, workdir, database_url=None, token_expiration=3600, api_options=None):
        self.workdir = workdir
        self.port = daemons.free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.auth_url = self.url + '/v3'
        self.admin_password = 'admin-pw-%s' % os.urandom(4).hex()
        self.demo_password = 'demo-pw-%s' % os.urandom(4).hex()
        self.service_password = 'svc-pw-%s' % os.urandom(4).hex()
        state = os.path.join(workdir, 'state')
        os.makedirs(state, exist_ok=True)
        sections = {'DEFAULT': {'state_path': state},
                    'api': {'bind_host': '127.0.0.1', 'bind_port': self.port,
                            'paste_config': os.path.join(daemons.REPO, 'etc', 'identity',
                                                         'api-paste.ini'),
                            **(api_options or {})},
                    'identity': {'password_hash_cost': 10,
                                 'token_expiration': token_expiration}}
        if database_url:
            sections['database'] = {'connection': database_url}
        self.config_file = daemons.write_ini(os.path.join(workdir, 'identity.conf'), sections)
        self.daemon = daemons.Daemon('identity.cmd', self.config_file,
                                     os.path.join(workdir, 'identity-api.log'))

    def manage(self, *args):
        subprocess.run([sys.executable, '-m', 'identity.manage', '--config-file',
                        self.config_file] + list(args), check=True, capture_output=True,
                       cwd=daemons.REPO)

    def start(self):
        self.manage('bootstrap', '--bootstrap-password', self.admin_password,
                    '--bootstrap-public-url', self.url)
        self.daemon.start()
        daemons.wait_http(self.url + '/v3', 30, self.daemon.proc, self.daemon.log_path)
        self._seed()
        return self

    def stop(self):
        self.daemon.stop()

    # HTTP helpers -----------------------------------------------------------------------
    def request(self, method, path, body=None, token=None, headers=None):
        """(status, headers, parsed body or None) of a call to identity."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header('Content-Type', 'application/json')
        if token:
            req.add_header('X-Auth-Token', token)
        for key, value in (headers or {}).items():
            req.add_header(key, value)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                raw = resp.read()
                return resp.status, dict(resp.headers), json.loads(raw) if raw else None
        except urllib.error.HTTPError as err:
            raw = err.read()
            try:
                parsed = json.loads(raw) if raw else None
            except ValueError:
                parsed = raw.decode(errors='replace')
            return err.code, dict(err.headers), parsed

    def token(self, username='admin', password=None, project='admin', domain='Default',
              system=False):
        """A token id for a user (project-scoped by default)."""
        password = password or {'admin': self.admin_password, 'demo': self.demo_password,
                                 'svc': self.service_password}[username]
        auth = {'identity': {'methods': ['password'], 'password': {'user': {
            'name': username, 'domain': {'name': domain}, 'password': password}}}}
        if system:
            auth['scope'] = {'system': {'all': True}}
        elif project:
            auth['scope'] = {'project': {'name': project, 'domain': {'name': domain}}}
        status, headers, body = self.request('POST', '/v3/auth/tokens', {'auth': auth})
        if status != 201:
            raise RuntimeError('token for %s failed: %s %s' % (username, status, body))
        return headers['X-Subject-Token']

    def _seed(self):
        """demo user (member of project demo) and svc user (service role on project service)."""
        admin = self.token()
        ids = {}
        for name in ('demo', 'service'):
            status, _, body = self.request('POST', '/v3/projects',
                                           {'project': {'name': name}}, admin)
            ids[name] = body['project']['id'] if status == 201 else None
        _, _, roles = self.request('GET', '/v3/roles', token=admin)
        role_ids = {r['name']: r['id'] for r in roles['roles']}
        if 'service' not in role_ids:
            _, _, body = self.request('POST', '/v3/roles', {'role': {'name': 'service'}}, admin)
            role_ids['service'] = body['role']['id']
        for user, password, project, role in (('demo', self.demo_password, 'demo', 'member'),
                                              ('svc', self.service_password, 'service',
                                               'service')):
            _, _, body = self.request('POST', '/v3/users', {'user': {
                'name': user, 'password': password, 'default_project_id': ids[project]}}, admin)
            user_id = body['user']['id']
            self.request('PUT', '/v3/projects/%s/users/%s/roles/%s'
                         % (ids[project], user_id, role_ids[role]), token=admin)
        self.project_ids = ids
        self.role_ids = role_ids

    def os_env(self, user='admin'):
        """OS_* environment variables for the openstack client as ``user``."""
        password = {'admin': self.admin_password, 'demo': self.demo_password}[user]
        return {'OS_AUTH_URL': self.auth_url, 'OS_USERNAME': user, 'OS_PASSWORD': password,
                'OS_PROJECT_NAME': user, 'OS_USER_DOMAIN_NAME': 'Default',
                'OS_PROJECT_DOMAIN_NAME': 'Default', 'OS_IDENTITY_API_VERSION': '3',
                'OS_REGION_NAME': 'RegionOne', 'OS_INTERFACE': 'public'}

    def service_auth_options(self):
        """``[keystone_authtoken]`` options for another service's config."""
        return {'www_authenticate_uri': self.url, 'auth_url': self.url, 'username': 'svc',
                'password': self.service_password, 'project_name': 'service',
                'user_domain_name': 'Default', 'project_domain_name': 'Default'}
