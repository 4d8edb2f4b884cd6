"""Client base for service-to-service calls and the per-service CLIs.

Built on keystoneauth1 sessions: authentication from OS_* variables or explicit options,
endpoint lookup in the token's catalog by service type, interface and region, retries on
connection errors, and OpenStack fault bodies turned into readable ``ClientError``s.
"""
import json
import os

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading
from keystoneauth1 import session as ks_session

AUTH_OPTIONS = ('auth_url', 'username', 'password', 'project_name', 'project_id',
                'user_domain_name', 'user_domain_id', 'project_domain_name',
                'project_domain_id', 'domain_name', 'domain_id', 'system_scope', 'token',
                'application_credential_id', 'application_credential_name',
                'application_credential_secret', 'user_id', 'endpoint')


class ClientError(Exception):
    """An HTTP error from a service, with its status code and the server's message."""

    def __init__(self, status, message, request_id=None):
        super().__init__('%s (HTTP %s)%s' % (message, status,
                                              ' (Request-ID: %s)' % request_id
                                              if request_id else ''))
        self.status = status
        self.message = message
        self.request_id = request_id


def fault_message(resp):
    """The human message inside any OpenStack fault body (or the raw text)."""
    try:
        body = resp.json()
    except ValueError:
        text = resp.text.strip()
        return text[:500] or resp.reason
    if isinstance(body, dict):
        for value in body.values():
            if isinstance(value, dict) and 'message' in value:
                return value['message']
        if 'message' in body:
            return body['message']
    return json.dumps(body)[:500]


def auth_from_env(env=None, overrides=None):
    """A keystoneauth1 auth plugin from OS_* variables (password, token or app credential)."""
    env = os.environ if env is None else env
    values = {opt: env.get('OS_' + opt.upper()) for opt in AUTH_OPTIONS}
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    if not values.get('auth_url'):
        raise ClientError(400, 'No auth URL: set OS_AUTH_URL or pass --os-auth-url')
    auth_type = (overrides or {}).get('auth_type') or env.get('OS_AUTH_TYPE')
    if not auth_type:
        if values.get('application_credential_secret'):
            auth_type = 'v3applicationcredential'
        elif values.get('token'):
            auth_type = 'v3token'
        else:
            auth_type = 'password'
    loader = loading.get_plugin_loader(auth_type)
    accepted = {o.dest for o in loader.get_options()}
    kwargs = {k: v for k, v in values.items() if v and k in accepted}
    if 'system_scope' in kwargs and kwargs['system_scope'] != 'all':
        raise ClientError(400, 'system scope must be "all"')
    return loader.load_from_options(**kwargs)


def session_from_env(env=None, overrides=None, insecure=False):
    return ks_session.Session(auth=auth_from_env(env, overrides), verify=not insecure)


class ServiceClient:
    """Calls to one service found in the catalog (or at ``endpoint_override``)."""

    def __init__(self, session, service_type, interface='public', region_name=None,
                 endpoint_override=None, connect_retries=3):
        self.session = session
        self.service_type = service_type
        self.interface = interface
        self.region_name = region_name
        self.endpoint_override = endpoint_override
        self.connect_retries = connect_retries

    def endpoint(self):
        if self.endpoint_override:
            return self.endpoint_override.rstrip('/')
        try:
            url = self.session.get_endpoint(service_type=self.service_type,
                                            interface=self.interface,
                                            region_name=self.region_name)
        except ks_exc.Unauthorized as exc:
            raise ClientError(401, 'authentication failed: %s' % exc)
        except ks_exc.ConnectFailure as exc:
            raise ClientError(503, 'Cannot reach identity: %s' % exc)
        except ks_exc.ClientException as exc:
            raise ClientError(getattr(exc, 'http_status', None) or 400, str(exc))
        if not url:
            raise ClientError(404, 'No %s endpoint for service type %s in region %s'
                              % (self.interface, self.service_type, self.region_name or 'any'))
        return url.rstrip('/')

    def request(self, method, path, json_body=None, headers=None, stream=False, data=None,
                raise_exc=True, params=None):
        """The requests.Response of ``method path``; ClientError for HTTP >= 400."""
        url = self.endpoint() + path
        try:
            resp = self.session.request(url, method, json=json_body, headers=headers or {},
                                        stream=stream, data=data, raise_exc=False,
                                        connect_retries=self.connect_retries, params=params)
        except ks_exc.ConnectFailure as exc:
            raise ClientError(503, 'Cannot reach %s: %s' % (url, exc))
        except ks_exc.ClientException as exc:
            raise ClientError(getattr(exc, 'http_status', 500) or 500, str(exc))
        if raise_exc and resp.status_code >= 400:
            raise ClientError(resp.status_code, fault_message(resp),
                              resp.headers.get('X-OpenStack-Request-Id'))
        return resp

    def get(self, path, **kw):
        return self.request('GET', path, **kw)

    def post(self, path, json_body=None, **kw):
        return self.request('POST', path, json_body=json_body, **kw)

    def put(self, path, json_body=None, **kw):
        return self.request('PUT', path, json_body=json_body, **kw)

    def patch(self, path, json_body=None, **kw):
        return self.request('PATCH', path, json_body=json_body, **kw)

    def delete(self, path, **kw):
        return self.request('DELETE', path, **kw)

    def head(self, path, **kw):
        return self.request('HEAD', path, **kw)


# Service-to-service clients ----------------------------------------------------------

SERVICE_USER_OPTS = [
    ('auth_url', None, 'Identity URL the service user authenticates at.'),
    ('username', None, 'Service user name.'),
    ('password', None, 'Password of the service user.'),
    ('project_name', 'service', 'Project of the service user.'),
    ('user_domain_name', 'Default', 'Domain of the service user.'),
    ('project_domain_name', 'Default', 'Domain of the service user\'s project.'),
    ('region_name', None, 'Catalog region of the service called.'),
    ('interface', 'public', 'Catalog interface of the service called.'),
    ('endpoint_override', None, 'URL of the service called, instead of the catalog\'s.'),
]


def walk_pages(fetch, key, params=None, limit=None, page_size=None, max_pages=None):
    """The items of a marker-paged list API (Glance's and Neutron's form): ``fetch(params)``
    returns one page's document, whose ``key`` holds the items and whose ``next`` link says
    more may follow. Pages are asked by the last item's id until one is empty or has no
    ``next``, ``limit`` items are found, or ``max_pages`` were read."""
    params, found, pages = dict(params or {}), [], 0
    while max_pages is None or pages < max_pages:
        size = page_size
        if limit is not None:
            size = min(size or limit, limit - len(found))
        if size is not None:
            params['limit'] = size
        doc = fetch(params)
        pages += 1
        items = doc.get(key) or []
        found += items
        if not items or not doc.get('next') or (limit is not None and len(found) >= limit):
            break
        params['marker'] = items[-1]['id']
    return found


def register_service_user_opts(conf, group):
    """Declare the service-user options of ``[group]`` (those it does not have yet)."""
    from common import config
    have = conf.registered().get(group, {})
    opts = [config.StrOpt(name, default=default, help=help_text,
                          **({'secret': True} if name == 'password' else {}))
            for name, default, help_text in SERVICE_USER_OPTS if name not in have]
    conf.register_opts(opts, group=group)


def _opt(group, name):
    try:
        return getattr(group, name)
    except AttributeError:
        return None


def v3_url(url):
    """An identity URL ending in ``/v3`` (configs give it with or without)."""
    url = url.rstrip('/')
    return url if url.endswith('/v3') else url + '/v3'


def service_session(conf, group, timeout=None, **overrides):
    """A keystoneauth1 session of the service user configured in ``[group]``.

    ``overrides`` replace option values (a store's own user, say); ``auth_url`` falls
    back to ``www_authenticate_uri`` where the group has it ([keystone_authtoken]).
    """
    from keystoneauth1.identity import v3
    section = getattr(conf, group)
    values = {name: _opt(section, name) for name, _, _ in SERVICE_USER_OPTS}
    values.update({k: v for k, v in overrides.items() if v is not None})
    auth_url = values['auth_url'] or _opt(section, 'www_authenticate_uri')
    if not auth_url or not values['username'] or not values['password']:
        raise ClientError(400, '[%s] needs auth_url, username and password for the service '
                               'user' % group)
    auth = v3.Password(auth_url=v3_url(auth_url), username=values['username'],
                       password=values['password'], project_name=values['project_name'],
                       user_domain_name=values['user_domain_name'],
                       project_domain_name=values['project_domain_name'])
    return ks_session.Session(auth=auth, timeout=timeout)


def token_session(endpoint, token):
    """A session that sends ``token`` to a fixed ``endpoint`` (no identity round trip)."""
    from keystoneauth1 import token_endpoint
    return ks_session.Session(auth=token_endpoint.Token(endpoint, token))


class _TypedClient(ServiceClient):
    SERVICE_TYPE = None

    def __init__(self, session, interface='public', region_name=None, endpoint_override=None,
                 connect_retries=3):
        super().__init__(session, self.SERVICE_TYPE, interface, region_name,
                         endpoint_override, connect_retries)

    @classmethod
    def from_conf(cls, conf, group, session=None):
        """A client of this service as the service user of ``[group]``."""
        section = getattr(conf, group)
        return cls(session or service_session(conf, group),
                   interface=_opt(section, 'interface') or 'public',
                   region_name=_opt(section, 'region_name'),
                   endpoint_override=_opt(section, 'endpoint_override'))


class IdentityClient(_TypedClient):
    SERVICE_TYPE = 'identity'


class ImageClient(_TypedClient):
    SERVICE_TYPE = 'image'


class NetworkClient(_TypedClient):
    SERVICE_TYPE = 'network'


class ObjectStoreClient(_TypedClient):
    SERVICE_TYPE = 'object-store'


class ComputeClient(_TypedClient):
    SERVICE_TYPE = 'compute'


class VolumeClient(_TypedClient):
    SERVICE_TYPE = 'block-storage'
