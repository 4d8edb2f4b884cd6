"""Container quotas (X-Container-Meta-Quota-Bytes/Count, set by the owner) and account
quotas (bytes and object count, set only by a reseller admin): uploads over them -> 413.

An account quota is set as X-Account-Meta-Quota-Bytes or, as Swift 2.34 names them,
X-Account-Quota-Bytes and X-Account-Quota-Count (kept as the account metadata
Quota-Bytes and Quota-Count, which only a reseller admin may change)."""
from common import config
from objectstore.proxy import info
from objectstore.proxy import utils
from objectstore.proxy.middleware import authz


QUOTA_KINDS = ('Bytes', 'Count')


def _quota(meta, key):
    value = meta.get(key)
    if value is None or value == '':
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _upload_size(req):
    return req.content_length if req.content_length is not None else 0


class ContainerQuotas:
    def __init__(self, app):
        self.app = app

    @utils.handle_errors
    def __call__(self, req):
        if info.is_info_request(req):
            return info.add_capability(req, self.app, 'container_quotas', {})
        try:
            _v, account, container, obj = utils.split_path(utils.path_of(req))
        except Exception:
            return req.get_response(self.app)
        if obj is None and container is not None and req.method in ('PUT', 'POST'):
            for name in ('X-Container-Meta-Quota-Bytes', 'X-Container-Meta-Quota-Count'):
                value = req.headers.get(name)
                if value and not value.strip().isdigit():
                    raise utils.http_error(400, '%s must be a non-negative integer, not %r'
                                           % (name, value))
        if obj is not None and req.method == 'PUT':
            cinfo = info.get_container_info(req.environ, self.app, account, container)
            if cinfo['status'] // 100 == 2:
                quota_bytes = _quota(cinfo['meta'], 'quota-bytes')
                if quota_bytes is not None and \
                        cinfo['bytes'] + _upload_size(req) > quota_bytes:
                    raise utils.http_error(413, 'Upload exceeds quota: container %s allows '
                                           '%d bytes' % (container, quota_bytes))
                quota_count = _quota(cinfo['meta'], 'quota-count')
                if quota_count is not None and cinfo['object_count'] + 1 > quota_count:
                    raise utils.http_error(413, 'Upload exceeds quota: container %s allows '
                                           '%d objects' % (container, quota_count))
        return req.get_response(self.app)


class AccountQuotas:
    def __init__(self, app, reseller_roles=('reselleradmin', 'admin')):
        self.app = app
        self.reseller_roles = {r.lower() for r in reseller_roles}

    @utils.handle_errors
    def __call__(self, req):
        if info.is_info_request(req):
            return info.add_capability(req, self.app, 'account_quotas', {})
        try:
            _v, account, container, obj = utils.split_path(utils.path_of(req))
        except Exception:
            return req.get_response(self.app)
        if container is None and req.method in ('POST', 'PUT'):
            self._quota_headers(req)
        if obj is not None and req.method == 'PUT':
            ainfo = info.get_account_info(req.environ, self.app, account)
            quota = _quota(ainfo['meta'], 'quota-bytes')
            if quota is not None and ainfo['bytes'] + _upload_size(req) > quota:
                raise utils.http_error(413, 'Upload exceeds quota: account %s allows %d bytes'
                                       % (account, quota))
            quota = _quota(ainfo['meta'], 'quota-count')
            if quota is not None and ainfo['object_count'] + 1 > quota:
                raise utils.http_error(413, 'Upload exceeds quota: account %s allows %d '
                                       'objects' % (account, quota))
        return req.get_response(self.app)

    def _quota_headers(self, req):
        """Check who sets an account quota and how; the Swift 2.34 names become the
        metadata the quota is kept in."""
        for kind in QUOTA_KINDS:
            short, meta = 'X-Account-Quota-%s' % kind, 'X-Account-Meta-Quota-%s' % kind
            for source, target in ((short, meta), ('X-Remove-Account-Quota-%s' % kind,
                                                   'X-Remove-Account-Meta-Quota-%s' % kind)):
                if source in req.headers:
                    req.headers[target] = req.headers.pop(source)
            if meta not in req.headers and 'X-Remove-' + meta[2:] not in req.headers:
                continue
            ident = authz.identity(req)
            if not (ident and self.reseller_roles.intersection(ident['roles'])):
                raise utils.http_error(403, 'Only a reseller admin may set the account quota')
            value = (req.headers.get(meta) or '').strip()
            if value and not value.isdigit():
                raise utils.http_error(400, '%s must be a non-negative integer, not %r'
                                       % (short, value))


def container_filter_factory(global_conf, **local_conf):
    return ContainerQuotas


def account_filter_factory(global_conf, **local_conf):
    conf = config.from_paste(global_conf) if '__conf__' in global_conf else None
    roles = conf.proxy.reseller_admin_roles if conf is not None else ['ResellerAdmin', 'admin']
    if 'reseller_admin_roles' in local_conf:
        roles = [r.strip() for r in local_conf['reseller_admin_roles'].split(',')]

    def _filter(app):
        return AccountQuotas(app, roles)
    return _filter
