"""``/v3/auth/*``: issue, validate, check and revoke tokens; what a token may scope to;
the public signing keys; revocation events; S3/EC2 signature checks."""
import base64
import binascii

from common import exceptions
from common import validation
from common.auth import tokens
from common.wsgi import response
from identity.api import base
from identity.api import schemas
from identity.core import assignment
from identity.core import catalog as catalog_core
from identity.core import credentials as cred_core
from identity.core import revoke
from identity.core import users as users_core


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
        with self.db.session() as sess:
            claims = self.provider.authenticate(sess, data['auth'])
            token_id = self.provider.issue(claims)
            body = self.provider.token_body(sess, claims, include_catalog)
        return response.json_response(body, status=201, headers={'X-Subject-Token': token_id})

    def _subject(self, req, rule):
        self._claims(req)
        subject = req.headers.get('X-Subject-Token')
        if not subject:
            raise exceptions.BadRequest('The X-Subject-Token header is required.')
        allow_expired = validation.query_bool(req, 'allow_expired', False)
        with self.db.session() as sess:
            claims = self.provider.validate(sess, subject, allow_expired=allow_expired)
            self.enforce(req, rule, {'token': {'user_id': claims['sub']}})
            body = self.provider.token_body(sess, claims, 'nocatalog' not in req.GET)
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
        with self.db.session() as sess:
            claims = self.provider.validate(sess, subject)
            self.enforce(req, 'identity:revoke_token', {'token': {'user_id': claims['sub']}})
            self.provider.revoke_token(sess, claims)
        return None

    def projects(self, req):
        ctx = self.context(req)
        with self.db.session() as sess:
            found = [p for p in assignment.user_projects(sess, ctx.user_id) if p.enabled]
            items = [self.app.views.project(req, p) for p in found]
        return self.collection(req, 'projects', items)

    def domains(self, req):
        ctx = self.context(req)
        with self.db.session() as sess:
            found = [d for d in assignment.user_domains(sess, ctx.user_id) if d.enabled]
            items = [self.app.views.domain(req, d) for d in found]
        return self.collection(req, 'domains', items)

    def system(self, req):
        ctx = self.context(req)
        with self.db.session() as sess:
            has = bool(assignment.system_role_ids(sess, ctx.user_id))
        return {'system': [{'all': True}] if has else [],
                'links': {'self': self.base_url(req) + req.path}}

    def catalog(self, req):
        claims = self._claims(req)
        if not (claims.get('project') or claims.get('domain') or claims.get('system')):
            raise exceptions.Forbidden('The catalog needs a scoped token.')
        with self.db.session() as sess:
            cat = catalog_core.build_catalog(sess, (claims.get('project') or {}).get('id'),
                                             claims['sub'])
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
        with self.db.session() as sess:
            events = [revoke.to_dict(e) for e in revoke.list_events(sess, since_dt, since_id)]
        return {'events': events, 'links': {'self': self.base_url(req) + req.path_qs,
                                            'previous': None, 'next': None}}

    def _aws_token(self, req):
        data = self.body(req, schemas.s3_request)['credentials']
        try:
            string_to_sign = base64.b64decode(data['token'], validate=True).decode('utf-8')
        except (binascii.Error, UnicodeDecodeError):
            raise exceptions.BadRequest("'credentials/token' must be the base64 string to sign.")
        with self.db.session() as sess:
            cred = cred_core.get_ec2_by_access(sess, data['access'])
            if cred is None:
                raise exceptions.Unauthorized('The EC2 access key %s is not valid.'
                                              % data['access'])
            secret = cred_core.ec2_view(cred)['secret']
            if not cred_core.check_aws_signature(secret, string_to_sign, data['signature']):
                raise exceptions.Unauthorized('The request signature does not match.')
            user = users_core.get_user(sess, cred.user_id)
            claims = self.provider.authenticate_as(sess, user, cred.project_id, ['ec2credential'])
            token_id = self.provider.issue(claims)
            body = self.provider.token_body(sess, claims, include_catalog=True)
        return response.json_response(body, status=200, headers={'X-Subject-Token': token_id})

    s3tokens = _aws_token
    ec2tokens = _aws_token
