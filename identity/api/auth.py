"""``/v3/auth/*``: issue, validate, check and revoke tokens; what a token may scope to;
the public signing keys; revocation events; S3/EC2 signature checks."""
import base64
import binascii

from common import exceptions
from common import validation
from common.auth import tokens
from common.wsgi import response
from identity.api import base
from identity.api import oauth
from identity.api import schemas


class AuthController(base.Controller):

    @property
    def provider(self):
        return self.app.provider

    def _claims(self, req):
        """The caller's own token claims (set by the identity auth middleware)."""
        self.context(req)
        return req.environ['identity.token_claims']

    def issue(self, req):
        data = self.body(req, schemas.auth_request)
        include_catalog = 'nocatalog' not in req.GET
        signed = None
        if 'oauth1' in data['auth']['identity']['methods']:
            signed = oauth.signed_request(self, req)
        token_id, body = self.store.issue_token(data['auth'], include_catalog, signed)
        return response.json_response(body, status=201, headers={'X-Subject-Token': token_id})

    def _subject(self, req, rule):
        self._claims(req)
        subject = req.headers.get('X-Subject-Token')
        if not subject:
            raise exceptions.BadRequest('The X-Subject-Token header is required.')
        allow_expired = validation.query_bool(req, 'allow_expired', False)
        body = self.store.subject_token_body(
            subject, allow_expired, 'nocatalog' not in req.GET,
            lambda claims: self.enforce(req, rule, {'token': {'user_id': claims['sub']}}))
        return subject, body

    def validate(self, req):
        subject, body = self._subject(req, 'identity:validate_token')
        if req.method == 'HEAD':
            return response.json_response(None, status=200, headers={'X-Subject-Token': subject})
        return response.json_response(body, headers={'X-Subject-Token': subject})

    def revoke(self, req):
        self._claims(req)
        subject = req.headers.get('X-Subject-Token')
        if not subject:
            raise exceptions.BadRequest('The X-Subject-Token header is required.')
        self.store.revoke_token(subject, lambda claims: self.enforce(
            req, 'identity:revoke_token', {'token': {'user_id': claims['sub']}}))
        return None

    def projects(self, req):
        ctx = self.context(req)
        items = [self.app.views.project(req, p)
                 for p in self.store.enabled_projects_of(ctx.user_id)]
        return self.collection(req, 'projects', items)

    def domains(self, req):
        ctx = self.context(req)
        items = [self.app.views.domain(req, d)
                 for d in self.store.enabled_domains_of(ctx.user_id)]
        return self.collection(req, 'domains', items)

    def system(self, req):
        ctx = self.context(req)
        has = self.store.has_system_role(ctx.user_id)
        return {'system': [{'all': True}] if has else [],
                'links': {'self': self.base_url(req) + req.path}}

    def catalog(self, req):
        claims = self._claims(req)
        if not (claims.get('project') or claims.get('domain') or claims.get('system')):
            raise exceptions.Forbidden('The catalog needs a scoped token.')
        cat = self.store.catalog((claims.get('project') or {}).get('id'), claims['sub'])
        return {'catalog': cat, 'links': {'self': self.base_url(req) + req.path}}

    def keys(self, req):
        """The public keys tokens are signed with (JWKS), for offline verification."""
        return self.app.provider.keys.jwks()

    def revoke_events(self, req):
        self.enforce(req, 'identity:list_revoke_events')
        since = req.GET.get('since')
        since_dt = None
        if since:
            try:
                import datetime
                since_dt = datetime.datetime.fromtimestamp(tokens.parse_iso(since),
                                                           datetime.timezone.utc)
                since_dt = since_dt.replace(tzinfo=None)
            except ValueError:
                raise exceptions.BadRequest("Query parameter 'since' must be an ISO 8601 time.")
        since_id = validation.query_int(req, 'since_id', default=None, minimum=0)
        events = self.store.revoke_events(since_dt, since_id)
        return {'events': events, 'links': {'self': self.base_url(req) + req.path_qs,
                                            'previous': None, 'next': None}}

    def _aws_token(self, req):
        """A token for the owner of an EC2 credential whose signature ``signature`` signs
        the string to sign ``token`` (base64), if the signed request is recent enough."""
        data = self.body(req, schemas.s3_request)['credentials']
        string_to_sign = _b64_text(data['token'], 'credentials/token')
        canonical = data.get('canonical_request')
        token_id, body = self.store.aws_token(
            data['access'], string_to_sign, data['signature'], canonical,
            ttl=self.app.conf.credential.auth_ttl * 60)
        return response.json_response(body, status=200, headers={'X-Subject-Token': token_id})

    s3tokens = _aws_token
    ec2tokens = _aws_token


_URLSAFE = str.maketrans('-_', '+/')


def _b64_text(value, field):
    """The UTF-8 text of standard or URL-safe base64 (Keystone's s3_token middleware, and
    the object store's, send the URL-safe alphabet)."""
    try:
        return base64.b64decode(value.translate(_URLSAFE), validate=True).decode('utf-8')
    except (binascii.Error, ValueError):  # UnicodeDecodeError is a ValueError
        raise exceptions.BadRequest("'%s' must be base64 of UTF-8 text." % field)
