"""Entity -> API dict conversions (with links), shared by every identity controller."""
from common.wsgi import endpoint
from identity.core import assignment
from identity.core import credentials


class Views:
    def __init__(self, conf, credential_keys):
        self.conf = conf
        self.credential_keys = credential_keys

    def _base(self, req):
        # once per request, not once per listed entity
        base = req.environ.get('identity.views.base')
        if base is None:
            base = req.environ['identity.views.base'] = \
                endpoint.public_url(self.conf, req) + '/v3/'
        return base

    def _links(self, req, path):
        return {'self': self._base(req) + path}

    @staticmethod
    def _extra(entity):
        return dict(getattr(entity, 'extra', None) or {})

    def domain(self, req, d):
        return dict(self._extra(d), id=d.id, name=d.name, description=d.description or '',
                    enabled=d.enabled, tags=d.tags or [], options={},
                    links=self._links(req, 'domains/' + d.id))

    def project(self, req, p):
        """A project, or a domain seen as a project acting as a domain (``is_domain``)."""
        is_domain = not hasattr(p, 'parent_id')
        domain_id = None if is_domain else p.domain_id
        return dict(self._extra(p), id=p.id, name=p.name, domain_id=domain_id,
                    parent_id=None if is_domain else (p.parent_id or p.domain_id),
                    description=p.description or '', enabled=p.enabled, is_domain=is_domain,
                    tags=p.tags or [], options={}, links=self._links(req, 'projects/' + p.id))

    def user(self, req, u):
        body = dict(self._extra(u), id=u.id, name=u.name, domain_id=u.domain_id,
                    enabled=u.enabled, password_expires_at=u.password_expires_at,
                    options=u.options or {}, links=self._links(req, 'users/' + u.id))
        if u.default_project_id:
            body['default_project_id'] = u.default_project_id
        if u.description is not None:
            body['description'] = u.description
        if u.email is not None:
            body['email'] = u.email
        return body

    def group(self, req, g):
        return dict(self._extra(g), id=g.id, name=g.name, domain_id=g.domain_id,
                    description=g.description or '', links=self._links(req, 'groups/' + g.id))

    def role(self, req, r):
        return {'id': r.id, 'name': r.name, 'domain_id': assignment.role_domain(r),
                'description': r.description, 'options': r.options or {},
                'links': self._links(req, 'roles/' + r.id)}

    def role_ref(self, req, r):
        return {'id': r.id, 'name': r.name, 'links': self._links(req, 'roles/' + r.id)}

    def region(self, req, r):
        return dict(self._extra(r), id=r.id, description=r.description or '',
                    parent_region_id=r.parent_region_id,
                    links=self._links(req, 'regions/' + r.id))

    def service(self, req, s):
        body = dict(self._extra(s), id=s.id, type=s.type, enabled=s.enabled,
                    links=self._links(req, 'services/' + s.id))
        if s.name is not None:
            body['name'] = s.name
        if s.description is not None:
            body['description'] = s.description
        return body

    def endpoint(self, req, e):
        return dict(self._extra(e), id=e.id, service_id=e.service_id, interface=e.interface,
                    url=e.url, region_id=e.region_id, region=e.region_id, enabled=e.enabled,
                    links=self._links(req, 'endpoints/' + e.id))

    def credential(self, req, c):
        return dict(self._extra(c), id=c.id, user_id=c.user_id, project_id=c.project_id,
                    type=c.type, blob=credentials.blob_of(self.credential_keys, c),
                    links=self._links(req, 'credentials/' + c.id))

    def policy(self, req, p):
        return dict(self._extra(p), id=p.id, type=p.type, blob=p.blob,
                    links=self._links(req, 'policies/' + p.id))

    def endpoint_group(self, req, g):
        return {'id': g.id, 'name': g.name, 'description': g.description or '',
                'filters': dict(g.filters or {}),
                'links': self._links(req, 'OS-EP-FILTER/endpoint_groups/' + g.id)}

    def consumer(self, req, c):
        body = dict(self._extra(c), id=c.id, description=c.description,
                    links=self._links(req, 'OS-OAUTH1/consumers/' + c.id))
        if getattr(c, 'secret', None):  # only in the answer to the create
            body['secret'] = c.secret
        return body

    def app_cred(self, req, c, roles, secret=None):
        body = {'id': c.id, 'name': c.name, 'description': c.description,
                'user_id': c.user_id, 'project_id': c.project_id,
                # ISO 8601 without a zone suffix, as Keystone echoes it
                'expires_at': c.expires_at.isoformat() if c.expires_at else None,
                'unrestricted': c.unrestricted,
                'system': c.system, 'access_rules': [],
                'roles': [{'id': r.id, 'name': r.name, 'domain_id': None} for r in roles],
                'links': self._links(req, 'users/%s/application_credentials/%s'
                                     % (c.user_id, c.id))}
        if secret is not None:
            body['secret'] = secret
        return body


