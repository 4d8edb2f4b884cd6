"""Authenticating auth requests into token claims, and tokens back into Keystone bodies.

Tokens are never stored: ``issue`` signs the claims (common.auth.tokens) and ``validate``
verifies the signature, the expiry and the revocation events, then re-checks that the
user, its domain and the scope are still enabled.
"""
import datetime
import secrets
import threading
import time

from common import exceptions
from common.auth import revocation
from common.auth import tokens
from identity import passwords
from identity.core import app_creds
from identity.core import assignment
from identity.core import catalog as catalog_core
from identity.core import oauth1
from identity.core import resource
from identity.core import revoke
from identity.core import users as users_core
from identity.db import models

METHODS = ('password', 'token', 'application_credential', 'oauth1')
# Where the API puts the OAuth1 access token whose signature it verified (never JSON).
OAUTH1_VERIFIED = 'verified_access_token'
AUTH_FAILED = 'The request you have made requires authentication.'


class TokenProvider:
    """Issues and validates tokens with a key repository and the revocation events."""

    def __init__(self, db, key_repository, expiration=3600, hash_cost=14,
                 admin_project=('admin', 'Default'), allow_rescope=True):
        self.db = db
        self.keys = key_repository
        self.expiration = expiration
        self.hash_cost = hash_cost
        self.admin_project = admin_project
        self.allow_rescope = allow_rescope
        self.revocations = revocation.RevocationList()
        self._sync_lock = threading.Lock()
        self._synced_at = 0.0
        self._db_last_id = 0
        self.sync_interval = 1.0

    # revocations ----------------------------------------------------------------------
    def sync_revocations(self, sess):
        """Bring the in-memory list up to the DB (other identity processes may have added
        events); at most once per ``sync_interval``: this process's own events arrive at
        once through the revoke listener."""
        with self._sync_lock:
            now = time.monotonic()
            if now - self._synced_at < self.sync_interval:
                return
            self._synced_at = now
            # Re-read a window of recent ids: rows committed out of id order by another
            # process are not skipped (the list ignores ids it already has).
            for event in revoke.list_events(sess, since_id=max(0, self._db_last_id - 100)):
                self.revocations.add(revoke.to_dict(event))
                self._db_last_id = max(self._db_last_id, event.id)
            # Events older than any token that can still be presented are dead weight.
            self.revocations.prune(time.time() - self.expiration - 2 * 86400)

    # authentication -------------------------------------------------------------------
    def authenticate(self, sess, auth):
        """Claims for a validated ``auth`` object of ``POST /v3/auth/tokens``."""
        identity = auth['identity']
        methods = identity['methods']
        unknown = [m for m in methods if m not in METHODS]
        if unknown:
            raise exceptions.Unauthorized('Attempted to authenticate with an unsupported method: '
                                          '%s.' % ', '.join(unknown))
        results = []
        for method in methods:
            if method not in identity:
                raise exceptions.BadRequest("Missing field 'identity/%s' for the method %s."
                                            % (method, method))
            results.append(getattr(self, '_auth_' + method)(sess, identity[method]))
        user_ids = {r['user'].id for r in results}
        if len(user_ids) != 1:
            raise exceptions.Unauthorized('The authentication methods name different users.')
        base = results[0]
        for r in results[1:]:
            base.update({k: v for k, v in r.items() if v is not None})
        user = base['user']
        self._check_user_enabled(sess, user)
        scope = auth.get('scope')
        app_cred = base.get('app_cred')
        oauth_token = base.get('oauth1')
        if oauth_token is not None:
            if scope is not None and scope != {'project': {'id': oauth_token.project_id}}:
                raise exceptions.Forbidden('An OAuth1 access token is bound to its project.')
            scope = {'project': {'id': oauth_token.project_id}}
        elif app_cred is not None:
            if scope is not None and scope != 'unscoped':
                wanted = (scope.get('project') or {}).get('id')
                if wanted and wanted != app_cred.project_id:
                    raise exceptions.Unauthorized('An application credential is bound to its own '
                                                  'project.')
            scope = {'project': {'id': app_cred.project_id}}
        elif base.get('from_token') is not None and scope is None:
            scope = self._scope_of_claims(base['from_token'])
        elif base.get('from_token') is not None and not self.allow_rescope and \
                self._scope_of_claims(base['from_token']) not in (None, scope):
            raise exceptions.Forbidden('Re-scoping a scoped token is not allowed.')
        claims = self._claims_for_scope(sess, user, scope)
        claims['methods'] = list(dict.fromkeys(
            m for r in results for m in r['methods']))
        self._stamp(claims)
        audit_id = claims['audit_ids'][0]
        previous = base.get('from_token')
        if previous is not None:
            # A token from a token keeps the original expiry and audit chain.
            claims['exp'] = min(claims['exp'], previous['exp'])
            claims['audit_ids'] = [audit_id, previous['audit_ids'][-1]]
            # the original methods and ``token`` (Keystone lists both on a rescoped token)
            claims['methods'] = list(dict.fromkeys(previous.get('methods', []) +
                                                   claims['methods']))
        if oauth_token is not None:
            claims['oauth1'] = {'access_token_id': oauth_token.id,
                                'consumer_id': oauth_token.consumer_id}
            claims['roles'] = self._delegated(sess, claims['roles'], oauth_token.role_ids)
            if oauth_token.expires_at is not None:
                claims['exp'] = min(claims['exp'], oauth_token.expires_at.replace(
                    tzinfo=datetime.timezone.utc).timestamp())
        if app_cred is not None:
            claims['app_cred'] = app_cred.id
            allowed = set(app_cred.role_ids)
            roles = [r for r in claims['roles'] if r['id'] in allowed or
                     r['id'] in assignment.implied_closure(sess, list(allowed))]
            if not roles:
                raise exceptions.Unauthorized('The application credential\'s roles are no '
                                              'longer held by its user.')
            claims['roles'] = roles
            if app_cred.expires_at is not None:
                claims['exp'] = min(claims['exp'], app_cred.expires_at.replace(
                    tzinfo=datetime.timezone.utc).timestamp())
        return claims

    @staticmethod
    def _delegated(sess, roles, delegated_ids):
        """The token's roles a delegation allows (the delegated ones and what they imply);
        401 when the user no longer holds any of them."""
        allowed = set(delegated_ids) | assignment.implied_closure(sess, list(delegated_ids))
        kept = [r for r in roles if r['id'] in allowed]
        if not kept:
            raise exceptions.Unauthorized('The delegated roles are no longer held by the '
                                          'user who delegated them.')
        return kept

    def _auth_oauth1(self, sess, data):
        token = data.get(OAUTH1_VERIFIED) if isinstance(data, dict) else None
        if not isinstance(token, models.OAuthAccessToken):
            raise exceptions.Unauthorized('The oauth1 method needs a request signed with an '
                                          'OAuth access token.')
        return {'user': users_core.get_user(sess, token.authorizing_user_id),
                'methods': ['oauth1'], 'oauth1': token}

    def _stamp(self, claims):
        now = time.time()
        claims['iat'] = now
        claims['exp'] = now + self.expiration
        claims['audit_ids'] = [secrets.token_urlsafe(16)[:22]]
        return claims

    def authenticate_as(self, sess, user, project_id, methods):
        """Claims for ``user`` scoped to ``project_id`` after another proof of identity
        (an EC2/S3 signature checked by the caller)."""
        self._check_user_enabled(sess, user)
        claims = self._claims_for_scope(sess, user, {'project': {'id': project_id}})
        claims['methods'] = list(methods)
        return self._stamp(claims)

    @staticmethod
    def _scope_of_claims(claims):
        if claims.get('project'):
            return {'project': {'id': claims['project']['id']}}
        if claims.get('domain'):
            return {'domain': {'id': claims['domain']['id']}}
        if claims.get('system'):
            return {'system': {'all': True}}
        return None

    def _find_domain_ref(self, sess, ref, what):
        if not isinstance(ref, dict) or not (ref.get('id') or ref.get('name')):
            raise exceptions.BadRequest('%s needs a domain with an id or a name.' % what)
        return resource.find_domain(sess, ref.get('id'), ref.get('name'))

    def _auth_password(self, sess, data):
        ref = data.get('user') if isinstance(data, dict) else None
        if not isinstance(ref, dict):
            raise exceptions.BadRequest("Missing field 'identity/password/user'.")
        if 'password' not in ref or not isinstance(ref['password'], str):
            raise exceptions.BadRequest("Missing field 'identity/password/user/password'.")
        try:
            if ref.get('id'):
                user = users_core.get_user(sess, ref['id'])
            elif ref.get('name'):
                domain = self._find_domain_ref(sess, ref.get('domain'), 'A user given by name')
                user = users_core.find_user(sess, name=ref['name'], domain_id=domain.id)
            else:
                raise exceptions.BadRequest("'identity/password/user' needs an id or a name.")
        except exceptions.NotFound:
            raise exceptions.Unauthorized(AUTH_FAILED)
        if not passwords.check_password(ref['password'], user.password_hash):
            raise exceptions.Unauthorized(AUTH_FAILED)
        return {'user': user, 'methods': ['password']}

    def _auth_token(self, sess, data):
        token_id = data.get('id') if isinstance(data, dict) else None
        if not isinstance(token_id, str) or not token_id:
            raise exceptions.BadRequest("Missing field 'identity/token/id'.")
        try:
            claims = self.validate(sess, token_id)
        except exceptions.NotFound as exc:
            raise exceptions.Unauthorized(exc.message)
        if claims.get('app_cred') or claims.get('oauth1'):
            raise exceptions.Forbidden('A token from an application credential or an OAuth1 '
                                       'delegation cannot be used to get another token.')
        return {'user': users_core.get_user(sess, claims['sub']), 'methods': ['token'],
                'from_token': claims}

    def _auth_application_credential(self, sess, data):
        if not isinstance(data, dict) or not isinstance(data.get('secret'), str):
            raise exceptions.BadRequest("Missing field 'identity/application_credential/secret'.")
        try:
            if data.get('id'):
                cred = app_creds.get(sess, None, data['id'])
            elif data.get('name'):
                uref = data.get('user')
                if not isinstance(uref, dict):
                    raise exceptions.BadRequest('An application credential given by name needs '
                                                'its user.')
                if uref.get('id'):
                    user = users_core.get_user(sess, uref['id'])
                else:
                    domain = self._find_domain_ref(sess, uref.get('domain'), 'A user by name')
                    user = users_core.find_user(sess, name=uref.get('name'), domain_id=domain.id)
                cred = app_creds.find(sess, name=data['name'], user_id=user.id)
            else:
                raise exceptions.BadRequest("'identity/application_credential' needs an id or a "
                                            "name.")
        except exceptions.NotFound:
            raise exceptions.Unauthorized(AUTH_FAILED)
        if app_creds.is_expired(cred) or not passwords.check_password(data['secret'],
                                                                      cred.secret_hash):
            raise exceptions.Unauthorized(AUTH_FAILED)
        return {'user': users_core.get_user(sess, cred.user_id),
                'methods': ['application_credential'], 'app_cred': cred}

    def _check_user_enabled(self, sess, user):
        if not user.enabled:
            raise exceptions.Unauthorized('User %s is disabled.' % user.id)
        if not resource.get_domain(sess, user.domain_id).enabled:
            raise exceptions.Unauthorized('Domain %s of user %s is disabled.'
                                          % (user.domain_id, user.id))

    def _claims_for_scope(self, sess, user, scope):
        domain = resource.get_domain(sess, user.domain_id)
        claims = {'sub': user.id, 'name': user.name,
                  'udom': {'id': domain.id, 'name': domain.name}, 'roles': []}
        if scope is None and user.default_project_id:
            project = resource.get_project(sess, user.default_project_id) \
                if _exists_project(sess, user.default_project_id) else None
            if project is not None and project.enabled and \
                    assignment.project_role_ids(sess, user.id, project):
                scope = {'project': {'id': project.id}}
        if scope is None or scope == 'unscoped':
            return claims
        if not isinstance(scope, dict) or len(scope) != 1:
            raise exceptions.BadRequest('The scope must name exactly one of project, domain or '
                                        'system.')
        try:
            if 'project' in scope:
                ref = scope['project']
                if not isinstance(ref, dict):
                    raise exceptions.BadRequest("'scope/project' must be an object.")
                if ref.get('id'):
                    project = resource.get_project(sess, ref['id'])
                else:
                    pdomain = self._find_domain_ref(sess, ref.get('domain'),
                                                    'A project given by name')
                    project = resource.find_project(sess, name=ref.get('name'),
                                                    domain_id=pdomain.id)
                pdomain = resource.get_domain(sess, project.domain_id)
                if not project.enabled or not pdomain.enabled:
                    raise exceptions.Unauthorized('Project %s is disabled.' % project.id)
                roles = assignment.effective_project_roles(sess, user.id, project)
                if not roles:
                    raise exceptions.Unauthorized('User %s has no access to project %s.'
                                                  % (user.id, project.id))
                claims['project'] = {'id': project.id, 'name': project.name,
                                     'domain': {'id': pdomain.id, 'name': pdomain.name}}
                if (project.name, pdomain.name) == self.admin_project:
                    claims['admin_project'] = True
            elif 'domain' in scope:
                target = self._find_domain_ref(sess, scope['domain'], 'A domain scope')
                if not target.enabled:
                    raise exceptions.Unauthorized('Domain %s is disabled.' % target.id)
                roles = assignment.expand_roles(sess, assignment.domain_role_ids(
                    sess, user.id, target.id))
                if not roles:
                    raise exceptions.Unauthorized('User %s has no access to domain %s.'
                                                  % (user.id, target.id))
                claims['domain'] = {'id': target.id, 'name': target.name}
            elif 'system' in scope:
                if scope['system'] != {'all': True}:
                    raise exceptions.BadRequest("'scope/system' must be {\"all\": true}.")
                roles = assignment.expand_roles(sess, assignment.system_role_ids(sess, user.id))
                if not roles:
                    raise exceptions.Unauthorized('User %s has no role on the system.' % user.id)
                claims['system'] = 'all'
            else:
                raise exceptions.BadRequest('Unknown scope %s.' % ', '.join(scope))
        except exceptions.NotFound as exc:
            raise exceptions.Unauthorized(exc.message)
        claims['roles'] = sorted(({'id': r.id, 'name': r.name} for r in roles),
                                 key=lambda r: r['name'])
        return claims

    # issue / validate -----------------------------------------------------------------
    def issue(self, claims):
        return tokens.sign(claims, self.keys)

    def validate(self, sess, token_id, allow_expired=False):
        """Claims of a valid token; NotFound when invalid, expired or revoked (as identity
        answers for a subject token)."""
        try:
            claims = tokens.decode(token_id, self.keys.public_keys(),
                                   leeway=(2 * 86400 if allow_expired else 0))
        except tokens.InvalidToken as exc:
            raise exceptions.NotFound('Failed to validate token: %s.' % exc)
        self.sync_revocations(sess)
        # Disabling or deleting a user, project or domain records a revocation event, so
        # the events alone decide validity, exactly as every service's middleware does.
        if self.revocations.is_revoked(claims):
            raise exceptions.NotFound('Failed to validate token: it has been revoked.')
        if claims.get('oauth1') and not oauth1.access_token_exists(
                sess, claims['oauth1'].get('access_token_id')):
            raise exceptions.NotFound('Failed to validate token: its OAuth1 access token is '
                                      'gone.')
        return claims

    def revoke_token(self, sess, claims):
        revoke.record(sess, audit_id=claims['audit_ids'][0])

    def token_body(self, sess, claims, include_catalog=True):
        """The ``{"token": {...}}`` body Keystone returns for these claims."""
        user = {'id': claims['sub'], 'name': claims.get('name'),
                'domain': claims.get('udom'), 'password_expires_at': None}
        body = {'methods': claims.get('methods', []), 'user': user,
                'audit_ids': claims.get('audit_ids', []),
                'expires_at': tokens.iso(claims['exp']), 'issued_at': tokens.iso(claims['iat'])}
        if claims.get('project'):
            body['project'] = claims['project']
            body['is_domain'] = False
            body['is_admin_project'] = bool(claims.get('admin_project'))
        if claims.get('domain'):
            body['domain'] = claims['domain']
        if claims.get('system'):
            body['system'] = {'all': True}
        if claims.get('project') or claims.get('domain') or claims.get('system'):
            body['roles'] = claims.get('roles', [])
            if include_catalog:
                project_id = (claims.get('project') or {}).get('id')
                body['catalog'] = catalog_core.build_catalog(sess, project_id, claims['sub'])
        if claims.get('oauth1'):
            body['OS-OAUTH1'] = dict(claims['oauth1'])
        if claims.get('app_cred'):
            cred = app_creds.get(sess, None, claims['app_cred'])
            body['application_credential'] = {'id': cred.id, 'name': cred.name,
                                              'restricted': not cred.unrestricted}
        return {'token': body}


def _exists_project(sess, project_id):
    from identity.db import models
    return sess.get(models.Project, project_id) is not None
