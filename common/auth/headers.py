"""The X-* headers an authenticated request carries to the app behind the auth middleware."""

# Every header the middleware may set; incoming copies are removed first so a client can
# never claim an identity by sending them.
IDENTITY_HEADERS = (
    'X-Identity-Status', 'X-Service-Identity-Status', 'X-User-Id', 'X-User-Name',
    'X-User-Domain-Id', 'X-User-Domain-Name', 'X-Project-Id', 'X-Project-Name',
    'X-Project-Domain-Id', 'X-Project-Domain-Name', 'X-Domain-Id', 'X-Domain-Name',
    'X-Roles', 'X-Audit-Ids', 'X-Is-Admin-Project', 'OpenStack-System-Scope',
    'X-Application-Credential-Id', 'X-Service-User-Id', 'X-Service-Roles',
    'X-Service-Project-Id', 'X-Token-Expires', 'X-Tenant-Id', 'X-Tenant-Name', 'X-Tenant',
    'X-User', 'X-Role', 'X-Auth-Methods')


def _key(name):
    """A header's WSGI environ key: the middleware reads and writes the environ directly
    (webob's header view translates every name on every access)."""
    return 'HTTP_' + name.upper().replace('-', '_')


_ENVIRON_KEYS = tuple(_key(name) for name in IDENTITY_HEADERS)


def strip_identity(environ):
    """Remove every identity header a client sent (only the middleware sets them)."""
    for key in _ENVIRON_KEYS:
        environ.pop(key, None)


def remove_identity_headers(req):
    strip_identity(req.environ)


def identity_environ(claims):
    """The environ entries describing the token's user and scope to the app (the context
    middleware reads them as X-* headers); the same for every request with that token."""
    from common.auth import tokens
    h = {'X-Identity-Status': 'Confirmed', 'X-User-Id': claims['sub'],
         'X-User-Name': claims.get('name') or ''}
    udom = claims.get('udom') or {}
    h['X-User-Domain-Id'] = udom.get('id') or ''
    h['X-User-Domain-Name'] = udom.get('name') or ''
    roles = [r['name'] for r in claims.get('roles') or []]
    h['X-Roles'] = ','.join(roles)
    h['X-Audit-Ids'] = ','.join(claims.get('audit_ids') or [])
    h['X-Auth-Methods'] = ','.join(claims.get('methods') or [])
    h['X-Token-Expires'] = tokens.iso(claims['exp'])
    project = claims.get('project')
    if project:
        h['X-Project-Id'] = project['id']
        h['X-Project-Name'] = project.get('name') or ''
        h['X-Project-Domain-Id'] = (project.get('domain') or {}).get('id') or ''
        h['X-Project-Domain-Name'] = (project.get('domain') or {}).get('name') or ''
        h['X-Tenant-Id'] = project['id']
        h['X-Tenant-Name'] = project.get('name') or ''
        h['X-Is-Admin-Project'] = 'True' if claims.get('admin_project') else 'False'
    domain = claims.get('domain')
    if domain:
        h['X-Domain-Id'] = domain['id']
        h['X-Domain-Name'] = domain.get('name') or ''
    if claims.get('system'):
        h['OpenStack-System-Scope'] = claims['system']
    if claims.get('app_cred'):
        h['X-Application-Credential-Id'] = claims['app_cred']
    return {_key(name): value for name, value in h.items()}


def set_identity_headers(req, claims):
    """Describe the token's user and scope to the app (identity's own middleware)."""
    req.environ.update(identity_environ(claims))


def service_environ(claims):
    """The environ entries describing a valid X-Service-Token (a service acting for a
    user)."""
    h = {'X-Service-Identity-Status': 'Confirmed', 'X-Service-User-Id': claims['sub'],
         'X-Service-Roles': ','.join(r['name'] for r in claims.get('roles') or [])}
    if claims.get('project'):
        h['X-Service-Project-Id'] = claims['project']['id']
    return {_key(name): value for name, value in h.items()}
