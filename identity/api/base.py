"""What every identity controller shares: the request context, policy, links, listing."""
from common import exceptions
from common import validation
from common.wsgi import endpoint
from common.wsgi import listing
from common.wsgi import middleware
from common.wsgi import response


class Controller:
    """Base of identity controllers; ``self.app`` holds db, provider, enforcer and conf."""

    def __init__(self, app):
        self.app = app

    @property
    def store(self):
        """The database operations (identity.db.api.Store)."""
        return self.app.store

    def context(self, req, require=True):
        ctx = middleware.get_context(req)
        if require and not ctx.authenticated:
            raise exceptions.Unauthorized('The request you have made requires authentication.')
        return ctx

    @staticmethod
    def token_claims(req):
        """The caller's token claims ({} without a token)."""
        return req.environ.get('identity.token_claims') or {}

    def refuse_delegated(self, req, what):
        """403 when the caller's token comes from an application credential (or a trust):
        such a token may not mint a credential that would outlive its restrictions."""
        claims = self.token_claims(req)
        if claims.get('app_cred') or claims.get('trust_id') or claims.get('oauth1'):
            raise exceptions.Forbidden('A token from an application credential, a trust or an '
                                       'OAuth1 delegation cannot %s.' % what)

    def is_admin(self, req):
        return self.app.enforcer.enforce('admin_required', {}, self.context(req))

    def enforce(self, req, rule, target=None):
        ctx = self.context(req)
        # Rules name target attributes as %(target.<kind>.<attr>)s, as Keystone's do.
        self.app.enforcer.authorize(rule, {'target': target or {}}, ctx)
        return ctx

    def base_url(self, req):
        return endpoint.public_url(self.app.conf, req)

    def link(self, req, path):
        return {'self': '%s/v3/%s' % (self.base_url(req), path)}

    def collection(self, req, key, items, truncated=False):
        body = {key: items, 'links': {'self': self.base_url(req) + req.path_qs,
                                      'previous': None, 'next': None}}
        if truncated:
            body['truncated'] = True
        return body

    def list_request(self, req):
        """The paging and filters of a list (Keystone's: ``limit`` at least 1, capped at
        ``[identity] list_limit``; ``marker`` an id)."""
        return listing.parse(req, self.app.conf.identity.list_limit, min_limit=1)

    def page(self, req, key, rows, lr, render):
        """The collection body of one page of ``rows`` (``lr.limit + 1`` at most)."""
        rows, truncated = listing.page(rows, lr)
        return self.collection(req, key, [render(req, r) for r in rows], truncated)

    def body(self, req, schema):
        data = response.json_body(req)
        validation.validate(schema, data)
        return data

    @staticmethod
    def created(body, headers=None):
        return response.json_response(body, status=201, headers=headers)
