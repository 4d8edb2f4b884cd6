"""EC2-style credentials (``/v3/users/{id}/credentials/OS-EC2``) and application
credentials (``/v3/users/{id}/application_credentials``)."""
from common import exceptions
from identity.api import base
from identity.api import schemas
from identity.core import app_creds
from identity.core import assignment
from identity.core import credentials as cred_core
from identity.core import resource
from identity.core import users as users_core


class EC2Controller(base.Controller):
    def _view(self, req, cred):
        body = cred_core.ec2_view(cred)
        body['links'] = {'self': '%s/v3/users/%s/credentials/OS-EC2/%s' % (
            self.base_url(req), cred.user_id, body['access'])}
        return body

    def index(self, req, user_id):
        self.enforce(req, 'identity:ec2_list_credentials', {'user': {'id': user_id}})
        with self.db.session() as sess:
            users_core.get_user(sess, user_id)
            items = [self._view(req, c) for c in cred_core.list_credentials(sess, user_id, 'ec2')]
        return self.collection(req, 'credentials', items)

    def create(self, req, user_id):
        ctx = self.enforce(req, 'identity:ec2_create_credential', {'user': {'id': user_id}})
        data = self.body(req, schemas.ec2_create)
        project_id = data.get('tenant_id') or data.get('project_id') or ctx.project_id
        if not project_id:
            raise exceptions.BadRequest("Missing field 'tenant_id'.")
        with self.db.session() as sess:
            users_core.get_user(sess, user_id)
            project = resource.get_project(sess, project_id)
            if not assignment.project_role_ids(sess, user_id, project):
                raise exceptions.Forbidden('User %s has no role on project %s.'
                                           % (user_id, project_id))
            cred = cred_core.create_ec2(sess, user_id, project_id)
            return self.created({'credential': self._view(req, cred)})

    def _get(self, sess, user_id, access):
        cred = cred_core.get_ec2_by_access(sess, access)
        if cred is None or cred.user_id != user_id:
            raise exceptions.NotFound('Could not find credential: %s.' % access)
        return cred

    def show(self, req, user_id, access):
        self.enforce(req, 'identity:ec2_get_credential', {'user': {'id': user_id}})
        with self.db.session() as sess:
            return {'credential': self._view(req, self._get(sess, user_id, access))}

    def delete(self, req, user_id, access):
        self.enforce(req, 'identity:ec2_delete_credential', {'user': {'id': user_id}})
        with self.db.session() as sess:
            cred_core.delete_credential(sess, self._get(sess, user_id, access).id)


class AppCredController(base.Controller):
    def _roles(self, sess, cred):
        return [assignment.get_role(sess, r) for r in cred.role_ids
                if _role_exists(sess, r)]

    def index(self, req, user_id):
        self.enforce(req, 'identity:list_application_credentials', {'user': {'id': user_id}})
        with self.db.session() as sess:
            users_core.get_user(sess, user_id)
            items = [self.app.views.app_cred(req, c, self._roles(sess, c))
                     for c in app_creds.list_for_user(sess, user_id, req.GET.get('name'))]
        return self.collection(req, 'application_credentials', items)

    def create(self, req, user_id):
        ctx = self.enforce(req, 'identity:create_application_credential',
                           {'user': {'id': user_id}})
        data = self.body(req, schemas.app_cred_create)['application_credential']
        if not ctx.project_id:
            raise exceptions.BadRequest('Application credentials are made with a '
                                        'project-scoped token.')
        claims = req.environ.get('identity.token_claims') or {}
        token_role_ids = [r['id'] for r in claims.get('roles', [])]
        with self.db.session() as sess:
            if claims.get('app_cred') and \
                    not app_creds.get(sess, None, claims['app_cred']).unrestricted:
                raise exceptions.Forbidden('A restricted application credential cannot create '
                                           'another.')
            cred, secret = app_creds.create(
                sess, user_id, ctx.project_id, data['name'], token_role_ids,
                role_refs=data.get('roles'), secret=data.get('secret'),
                description=data.get('description'),
                expires_at=app_creds.parse_expiry(data.get('expires_at')),
                unrestricted=bool(data.get('unrestricted')),
                hash_cost=self.app.conf.identity.password_hash_cost)
            body = self.app.views.app_cred(req, cred, self._roles(sess, cred), secret)
        return self.created({'application_credential': body})

    def show(self, req, user_id, app_cred_id):
        self.enforce(req, 'identity:get_application_credential', {'user': {'id': user_id}})
        with self.db.session() as sess:
            cred = app_creds.get(sess, user_id, app_cred_id)
            return {'application_credential': self.app.views.app_cred(req, cred,
                                                                      self._roles(sess, cred))}

    def delete(self, req, user_id, app_cred_id):
        self.enforce(req, 'identity:delete_application_credential', {'user': {'id': user_id}})
        with self.db.session() as sess:
            app_creds.delete(sess, user_id, app_cred_id)


def _role_exists(sess, role_id):
    from identity.db import models
    return sess.get(models.Role, role_id) is not None

