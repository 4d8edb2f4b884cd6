"""OS-OAUTH1 delegation: ``/v3/OS-OAUTH1/request_token``, ``/authorize/{id}``,
``/access_token`` and a user's access tokens (``/v3/users/{id}/OS-OAUTH1/access_tokens``).
Consumers are plain CRUD (resources.py); the oauth1 auth method is in auth.py."""
import datetime
import urllib.parse

import webob

from common import exceptions
from common.auth import tokens
from identity.api import base
from identity.core import oauth1

_AUTHORIZE_BODY = {
    'type': 'object', 'required': ['roles'], 'additionalProperties': False,
    'properties': {'roles': {'type': 'array', 'minItems': 1, 'items': {
        'type': 'object', 'additionalProperties': False, 'minProperties': 1,
        'properties': {'id': {'type': 'string', 'minLength': 1, 'maxLength': 64},
                       'name': {'type': 'string', 'minLength': 1, 'maxLength': 255}}}}}}


def signed_request(ctrl, req):
    """The OAuth signature parts of ``req`` (identity.core.oauth1.SignedRequest)."""
    path = req.path
    uris = [ctrl.base_url(req) + path, req.host_url + path]
    params = list(req.GET.items())
    if req.content_type == 'application/x-www-form-urlencoded':
        params += list(req.POST.items())
    return oauth1.SignedRequest(req.method, list(dict.fromkeys(uris)),
                                oauth1.parse_authorization(req.headers.get('Authorization')),
                                params)


def _iso(naive_utc):
    return tokens.iso(naive_utc.replace(tzinfo=datetime.timezone.utc).timestamp())


def _form(token, secret):
    body = urllib.parse.urlencode({'oauth_token': token.id, 'oauth_token_secret': secret,
                                   'oauth_expires_at': _iso(token.expires_at)})
    return webob.Response(status=201, body=body.encode(),
                          content_type='application/x-www-form-urlencoded', charset=None)


class OAuthController(base.Controller):
    def request_token(self, req):
        project_id = req.headers.get('Requested-Project-Id')
        if not project_id:
            raise exceptions.BadRequest('The Requested-Project-Id header is required.')
        token, secret = self.store.oauth_request_token(signed_request(self, req), project_id)
        return _form(token, secret)

    def authorize(self, req, request_token_id):
        ctx = self.context(req)
        self.refuse_delegated(req, 'authorize an OAuth1 request token')
        roles = self.body(req, _AUTHORIZE_BODY)['roles']
        verifier = self.store.authorize_request_token(request_token_id, ctx.user_id, roles)
        return {'token': {'oauth_verifier': verifier}}

    def access_token(self, req):
        token, secret = self.store.oauth_access_token(signed_request(self, req))
        return _form(token, secret)


class AccessTokenController(base.Controller):
    def _view(self, req, t):
        return {'id': t.id, 'consumer_id': t.consumer_id, 'project_id': t.project_id,
                'authorizing_user_id': t.authorizing_user_id,
                'expires_at': _iso(t.expires_at) if t.expires_at else None,
                'links': self.link(req, 'users/%s/OS-OAUTH1/access_tokens/%s'
                                   % (t.authorizing_user_id, t.id))}

    def _authorize(self, req, rule, user_id):
        self.enforce(req, rule, {'user': {'id': user_id}})

    def index(self, req, user_id):
        self._authorize(req, 'identity:list_access_tokens', user_id)
        return self.collection(req, 'access_tokens', [
            self._view(req, t) for t in self.store.access_tokens_of(user_id)])

    def show(self, req, user_id, access_token_id):
        self._authorize(req, 'identity:get_access_token', user_id)
        return {'access_token': self._view(req, self.store.access_token(user_id,
                                                                        access_token_id))}

    def delete(self, req, user_id, access_token_id):
        self._authorize(req, 'identity:delete_access_token', user_id)
        self.store.delete_access_token(user_id, access_token_id)

    def roles(self, req, user_id, access_token_id):
        self._authorize(req, 'identity:list_access_token_roles', user_id)
        return self.collection(req, 'roles', [
            self.app.views.role(req, r)
            for r in self.store.access_token_roles(user_id, access_token_id)])

    def role(self, req, user_id, access_token_id, role_id):
        self._authorize(req, 'identity:get_access_token_role', user_id)
        for r in self.store.access_token_roles(user_id, access_token_id):
            if r.id == role_id:
                return {'role': self.app.views.role(req, r)}
        raise exceptions.NotFound('Access token %s does not delegate role %s.'
                                  % (access_token_id, role_id))
