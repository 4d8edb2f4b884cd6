"""The services as the logged-in user sees them: logins and scoping through identity
(keystoneauth1 and python-keystoneclient), every other call through common.client with the
user's own token at the endpoints of the user's catalog."""
import base64
import time

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
from keystoneclient.v3 import client as ks_client

from common import client

# Catalog types the dashboard uses; the first type found of each service is taken.
SERVICE_TYPES = {
    'identity': ('identity',),
    'compute': ('compute',),
    'image': ('image',),
    'network': ('network',),
    'volume': ('block-storage', 'volumev3'),
    'object': ('object-store',),
}


def error_from_keystone(exc):
    """A ClientError for any keystoneauth/keystoneclient exception."""
    if isinstance(exc, ks_exc.Unauthorized):
        return client.ClientError(401, 'The user name or password is not correct, or the '
                                       'session has expired.',
                                  getattr(exc, 'request_id', None))
    if isinstance(exc, ks_exc.ConnectFailure):
        return client.ClientError(503, 'Cannot reach the identity service.')
    if isinstance(exc, ks_exc.HttpError):
        return client.ClientError(exc.http_status or 500, exc.message or exc.details or
                                  str(exc), exc.request_id)
    return client.ClientError(500, str(exc))


class Login:
    """Password login and project scoping against identity's public URL."""

    def __init__(self, auth_url, region_name=None, interface='public', timeout=60):
        self.auth_url = client.v3_url(auth_url)
        self.region_name = region_name
        self.interface = interface
        self.timeout = timeout

    def _session(self):
        return ks_session.Session(timeout=self.timeout)

    def password(self, username, password, domain):
        """(unscoped token, user dict, projects) of a password login."""
        try:
            access = v3.Password(auth_url=self.auth_url, username=username, password=password,
                                 user_domain_name=domain, unscoped=True).get_access(
                                     self._session())
            projects = self.projects(access.auth_token)
        except ks_exc.ClientException as exc:
            raise error_from_keystone(exc)
        user = {'id': access.user_id, 'name': access.username, 'domain': domain}
        return access.auth_token, user, projects

    def projects(self, token):
        """The projects ``token``'s user may scope to, sorted by name."""
        ks = ks_client.Client(session=client.token_session(self.auth_url, token),
                              interface=self.interface)
        try:
            projects = ks.auth.projects()
        except ks_exc.ClientException as exc:
            raise error_from_keystone(exc)
        return sorted(({'id': p.id, 'name': p.name} for p in projects if p.enabled),
                      key=lambda p: p['name'])

    def scope(self, token, project_id):
        """The session data of ``token`` rescoped to a project: token, roles, catalog."""
        try:
            access = v3.Token(auth_url=self.auth_url, token=token,
                              project_id=project_id).get_access(self._session())
        except ks_exc.ClientException as exc:
            raise error_from_keystone(exc)
        catalog = {}
        for name, types in SERVICE_TYPES.items():
            for stype in types:
                try:
                    url = access.service_catalog.url_for(service_type=stype,
                                                         interface=self.interface,
                                                         region_name=self.region_name)
                except ks_exc.EndpointNotFound:
                    continue
                if url:
                    catalog[name] = url.rstrip('/')
                    break
        if 'identity' not in catalog:
            catalog['identity'] = self.auth_url
        return {'token': access.auth_token, 'project_id': access.project_id,
                'project_name': access.project_name, 'roles': sorted(access.role_names),
                'expires': access.expires.timestamp(), 'catalog': catalog}

    def revoke(self, token, subject):
        """Revoke ``subject`` (authenticated by ``token``); errors are ignored (a token
        that is already invalid needs no revoking)."""
        ks = ks_client.Client(session=client.token_session(self.auth_url, token),
                              interface=self.interface)
        try:
            ks.tokens.revoke_token(subject)
        except ks_exc.ClientException:
            return False
        return True


class Cloud:
    """Clients of each service for one logged-in session."""

    def __init__(self, session, timeout=60):
        self.token = session['token']
        self.catalog = session.get('catalog', {})
        self.project_id = session.get('project_id')
        self.timeout = timeout
        self._clients = {}

    def has(self, name):
        return name in self.catalog

    def client(self, name):
        if name not in self._clients:
            url = self.catalog.get(name)
            if not url:
                raise client.ClientError(503, 'The %s service is not in your catalog.' % name)
            sess = client.token_session(url, self.token)
            sess.timeout = self.timeout
            self._clients[name] = client.ServiceClient(sess, name, endpoint_override=url,
                                                       connect_retries=1)
        return self._clients[name]

    def json(self, name, method, path, body=None, params=None, headers=None):
        resp = self.client(name).request(method, path, json_body=body, params=params,
                                         headers=headers)
        if resp.status_code == 204 or not resp.content:
            return {}
        try:
            return resp.json()
        except ValueError:
            return {}

    def get(self, name, path, **params):
        return self.json(name, 'GET', path, params={k: v for k, v in params.items()
                                                    if v not in (None, '')})

    def identity(self):
        """python-keystoneclient with this session's token."""
        sess = client.token_session(client.v3_url(self.catalog['identity']), self.token)
        sess.timeout = self.timeout
        return ks_client.Client(session=sess)

    def call_identity(self, func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ks_exc.ClientException as exc:
            raise error_from_keystone(exc)


def user_data(text):
    """Base64 of the user data typed in the launch form."""
    return base64.b64encode(text.encode()).decode() if text else None


def expired(session, now=None):
    return session.get('expires', 0) <= (now or time.time())
