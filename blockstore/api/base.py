"""What every block storage controller shares: the caller's context checked against the
project in the URL and the policy, RPC clients, and lookups as the caller."""
from blockstore import rpcapi
from blockstore.db import api as db_api
from common import exceptions
from common.rpc import exceptions as rpc_exceptions
from common.wsgi import listing
from common.wsgi import middleware
from common.wsgi import microversion

SPEC = microversion.Spec('volume', '3.0', '3.71')


class Controller:
    def __init__(self, state):
        self.state = state
        self.conf = state.conf
        timeout = state.conf.blockstore.rpc_timeout
        self.volume_rpc = rpcapi.VolumeAPI(state.transport, timeout=timeout)
        self.scheduler_rpc = rpcapi.SchedulerAPI(state.transport)

    @property
    def db(self):
        return self.state.db

    def context(self, req, rule, target=None):
        """The caller's context after the URL project and ``rule`` were checked."""
        ctx = middleware.get_context(req)
        project = req.urlvars.get('project_id')
        if project is not None and project != ctx.project_id:
            raise exceptions.BadRequest('Malformed request url: the project in the URL is '
                                        'not the project of the token.')
        self.authorize(ctx, rule, target)
        return ctx

    def authorize(self, ctx, rule, target=None):
        self.state.enforcer.authorize(rule, target or {'project_id': ctx.project_id}, ctx)

    def can(self, ctx, rule, target=None):
        return self.state.enforcer.enforce(rule, target or {'project_id': ctx.project_id}, ctx)

    def all_projects(self, req, ctx):
        """True when an admin asks for every project's resources (``all_tenants``)."""
        wanted = req.GET.get('all_tenants', req.GET.get('all_projects', 'false'))
        if wanted.lower() in ('1', 'true', 'yes', 'on', ''):
            self.authorize(ctx, 'volume:get_all_tenants')
            return True
        return False

    def version(self, req):
        return microversion.of(req)

    def require(self, req, minimum):
        if self.version(req) < minimum:
            raise exceptions.NotFound('The resource could not be found (needs API version '
                                      '%d.%d or later).' % minimum)

    def list_request(self, req, extra_ignore=()):
        """listing.parse plus Cinder's ``sort=key:dir,...`` and its non-filter parameters."""
        lr = listing.parse(req, self.conf.blockstore.pagination_max_limit,
                           ignore=('all_tenants', 'all_projects', 'sort', 'with_count',
                                   'offset', 'metadata', 'is_public') + tuple(extra_ignore))
        for part in (req.GET.get('sort') or '').split(','):
            if part.strip():
                key, _, direction = part.strip().partition(':')
                lr.sorts.append((key, direction or 'desc'))
        lr.sorts = [(k, d) if d else (k, 'desc') for k, d in lr.sorts]
        if not lr.sorts:
            lr.sorts = [('created_at', 'desc')]
        return lr

    # lookups ------------------------------------------------------------------------
    def volume(self, ctx, ident):
        return db_api.get_volume(self.db, ident, ctx)

    def snapshot(self, ctx, ident):
        return db_api.get_snapshot(self.db, ident, ctx)

    def attachments(self, volume_id):
        return db_api.rows(self.db, 'attachment', volume_id=volume_id)

    def rpc(self, func, *args, **kwargs):
        """A call to a volume daemon; its refusals keep their status, the rest is 500."""
        try:
            return func(*args, **kwargs)
        except rpc_exceptions.RemoteError as exc:
            if exc.exc_type in ('BadRequest', 'ValidationError'):
                raise exceptions.BadRequest(exc.message)
            if exc.exc_type == 'NotFound':
                raise exceptions.NotFound(exc.message)
            raise exceptions.APIError('The volume service failed: %s' % exc.message[:200])
        except rpc_exceptions.MessagingTimeout:
            raise exceptions.ServiceUnavailable('The volume service did not answer in time.')


def list_body(conf, req, collection, rows, lr, render=None):
    """A list response as Cinder pages it: a full page links to the next one."""
    return listing.body(conf, req, collection, rows, lr, render, next_when_full=True)
