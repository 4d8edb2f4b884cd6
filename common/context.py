"""The request context: who is calling, in which scope, for which request.

Built by the context middleware from the headers the auth middleware set, carried
through controllers into policy checks, RPC messages and logs.
"""
import uuid


class RequestContext:
    """Identity and scope of one request (or of one RPC message handled on its behalf)."""

    FIELDS = ('user_id', 'user_name', 'user_domain_id', 'project_id', 'project_name',
              'project_domain_id', 'domain_id', 'domain_name', 'roles', 'is_admin',
              'system_scope', 'request_id', 'auth_token', 'audit_ids', 'global_request_id',
              'service_user_id', 'service_roles', 'application_credential_id')

    def __init__(self, user_id=None, project_id=None, roles=None, is_admin=None,
                 request_id=None, **kwargs):
        self.user_id = user_id
        self.project_id = project_id
        self.roles = [r for r in (roles or [])]
        self.request_id = request_id or 'req-' + str(uuid.uuid4())
        for field in self.FIELDS:
            if not hasattr(self, field):
                setattr(self, field, kwargs.pop(field, None))
        if kwargs:
            raise TypeError('unknown context fields: %s' % ', '.join(sorted(kwargs)))
        self.audit_ids = self.audit_ids or []
        self.service_roles = self.service_roles or []
        if is_admin is None:
            is_admin = 'admin' in [r.lower() for r in self.roles]
        self.is_admin = is_admin

    @property
    def authenticated(self):
        return self.user_id is not None

    def to_dict(self):
        return {f: getattr(self, f) for f in self.FIELDS}

    @classmethod
    def from_dict(cls, values):
        return cls(**{k: v for k, v in values.items() if k in cls.FIELDS})

    def to_policy_values(self):
        """The credentials dict the policy engine checks rules against."""
        return {
            'user_id': self.user_id,
            'user_domain_id': self.user_domain_id,
            'project_id': self.project_id,
            'project_domain_id': self.project_domain_id,
            'domain_id': self.domain_id,
            'roles': list(self.roles),
            'is_admin': self.is_admin,
            'system_scope': self.system_scope,
            'service_roles': list(self.service_roles),
        }

    def elevated(self):
        """A copy with admin rights, for internal work done on a user's behalf."""
        ctx = self.from_dict(self.to_dict())
        ctx.is_admin = True
        if 'admin' not in [r.lower() for r in ctx.roles]:
            ctx.roles.append('admin')
        return ctx

    @classmethod
    def admin_context(cls, **kwargs):
        """A context for a daemon's own work, not tied to any user."""
        return cls(roles=['admin'], is_admin=True, **kwargs)

    def __repr__(self):
        return '<RequestContext %s user=%s project=%s>' % (
            self.request_id, self.user_id, self.project_id)
