"""Authorization of Swift requests from the identity headers set by AuthProtocol.

Installs ``objectstore.authorize`` in the environ; controllers call it once they know the
container ACL that applies.  Rules: a reseller role reaches every account; a user with an
operator role (member/admin) on project P owns ``AUTH_P``; others need an account ACL
(X-Account-Access-Control) or a container ACL (X-Container-Read/Write); anonymous
requests pass only on referrer ACLs (401 otherwise, 403 for a known user).

ACL entries by name (``project_name:user_name``) match only when the caller's user and
project and the account's project are all in the default domain, as Swift's keystoneauth
decides: names are unique only inside one domain, so elsewhere only ids identify anyone.
"""
from common import config
from objectstore.proxy import acl as acl_mod
from objectstore.proxy import info
from objectstore.proxy import utils

READ_METHODS = ('GET', 'HEAD')
ACL_HEADERS = ('x-container-read', 'x-container-write')


def identity(req):
    """The caller as a dict, or None for an anonymous (or invalid-token) request."""
    h = req.headers
    if h.get('X-Identity-Status') != 'Confirmed' or not h.get('X-User-Id'):
        return None
    return {'user_id': h.get('X-User-Id'), 'user_name': h.get('X-User-Name'),
            'project_id': h.get('X-Project-Id'), 'project_name': h.get('X-Project-Name'),
            'user_domain_id': h.get('X-User-Domain-Id'),
            'project_domain_id': h.get('X-Project-Domain-Id'),
            'roles': [r.strip().lower() for r in (h.get('X-Roles') or '').split(',')
                      if r.strip()]}


class Authorize:
    """paste filter ``objectstore.proxy.middleware.authz:filter_factory``."""

    def __init__(self, app, reseller_prefix='AUTH_', operator_roles=('admin', 'member'),
                 reseller_admin_roles=('reselleradmin', 'admin'), default_domain_id='default'):
        self.app = app
        self.reseller_prefix = reseller_prefix
        self.default_domain_id = default_domain_id
        self.operator_roles = {r.lower() for r in operator_roles}
        self.reseller_roles = {r.lower() for r in reseller_admin_roles}

    def __call__(self, env, start_response):
        env[utils.AUTHORIZE] = self.authorize
        return self.app(env, start_response)

    def is_reseller(self, ident):
        return bool(ident and self.reseller_roles.intersection(ident['roles']))

    def owns(self, ident, account):
        return bool(ident and ident.get('project_id')
                    and account == self.reseller_prefix + ident['project_id']
                    and self.operator_roles.intersection(ident['roles']))

    def _denied(self, ident, why):
        if ident is None:
            return utils.error_response(401, 'Unauthorized: %s' % why)
        return utils.error_response(403, 'Forbidden: %s' % why)

    def authorize(self, req, acl=None):
        """None when ``req`` may proceed, else a 401/403 response."""
        env = req.environ
        if env.get(utils.AUTHORIZE_OVERRIDE):
            return None
        try:
            _v, account, container, obj = utils.split_path(utils.path_of(req))
        except Exception:
            return utils.error_response(400, 'Malformed path')
        ident = identity(req)
        if self.is_reseller(ident) or self.owns(ident, account):
            env[utils.OWNER] = True
            return None
        method = req.method
        if ident is not None and account.startswith(self.reseller_prefix):
            level = self._account_level(req, account, ident)
            if level == 'admin':
                env[utils.OWNER] = True
                return None
            if container is not None:
                if level == 'read-write' and not (
                        obj is None and any(h in req.headers for h in ACL_HEADERS)):
                    return None
                if level == 'read-only' and method in READ_METHODS:
                    return None
            elif level in ('read-write', 'read-only') and method in READ_METHODS:
                return None
        if container is None or acl is None:
            return self._denied(ident, 'no access to account %s' % account)
        referrers, groups = acl_mod.parse_container_acl(acl)
        if method in READ_METHODS and referrers and (obj is not None or '.rlistings' in groups):
            if acl_mod.referrer_allowed(req.referer, referrers):
                return None
        names = ident is not None and self.names_allowed(req, account, ident)
        if ident is not None and any(acl_mod.identity_matches(g, ident, names)
                                     for g in groups if g != '.rlistings'):
            if obj is not None or method in READ_METHODS:
                return None
        return self._denied(ident, 'no access to %s' % utils.path_of(req))

    def _account_level(self, req, account, ident):
        acct = info.get_account_info(req.environ, self.app, account)
        try:
            acl = acl_mod.parse_account_acl(acct.get('acl'))
        except Exception:
            return None
        return acl_mod.account_acl_level(acl, ident, self.names_allowed(req, account, ident))

    def names_allowed(self, req, account, ident):
        """Whether ACL names may match this caller on this account (module doc)."""
        default = self.default_domain_id
        if ident.get('user_domain_id') != default or ident.get('project_domain_id') != default:
            return False
        if ident.get('project_id') and account == self.reseller_prefix + ident['project_id']:
            return True
        acct = info.get_account_info(req.environ, self.app, account)
        return acct.get('project_domain_id') == default


def filter_factory(global_conf, **local_conf):
    conf = config.from_paste(global_conf) if '__conf__' in global_conf else None
    group = conf.proxy if conf is not None else None

    def _list(name, default):
        if name in local_conf:
            return [v.strip() for v in local_conf[name].split(',') if v.strip()]
        return getattr(group, name) if group is not None else default

    prefix = local_conf.get('reseller_prefix') or (group.reseller_prefix if group else 'AUTH_')

    domain = local_conf.get('default_domain_id') or (
        group.default_domain_id if group else 'default')

    def _filter(app):
        return Authorize(app, prefix, _list('operator_roles', ['admin', 'member']),
                         _list('reseller_admin_roles', ['ResellerAdmin', 'admin']), domain)
    return _filter
