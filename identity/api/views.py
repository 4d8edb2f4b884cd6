"""Entity -> API dict conversions (with links), shared by every identity controller."""
from identity.core import assignment


class Views:
    def __init__(self, conf):
        self.conf = conf

    def _base(self, req):
        return (self.conf.api.public_endpoint or req.host_url).rstrip('/') + '/v3/'

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
        return dict(self._extra(p), id=p.id, name=p.name, domain_id=p.domain_id,
                    parent_id=p.parent_id or p.domain_id, description=p.description or '',
                    enabled=p.enabled, is_domain=False, tags=p.tags or [], options={},
                    links=self._links(req, 'projects/' + p.id))

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
        return {'id': c.id, 'user_id': c.user_id, 'project_id': c.project_id, 'type': c.type,
                'blob': c.blob, 'links': self._links(req, 'credentials/' + c.id)}

    def app_cred(self, req, c, roles, secret=None):
        body = {'id': c.id, 'name': c.name, 'description': c.description,
                'user_id': c.user_id, 'project_id': c.project_id,
                'expires_at': c.expires_at, 'unrestricted': c.unrestricted,
                'system': c.system, 'access_rules': [],
                'roles': [{'id': r.id, 'name': r.name, 'domain_id': None} for r in roles],
                'links': self._links(req, 'users/%s/application_credentials/%s'
                                     % (c.user_id, c.id))}
        if secret is not None:
            body['secret'] = secret
        return body


