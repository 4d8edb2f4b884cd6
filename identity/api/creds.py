"""EC2-style credentials (``/v3/users/{id}/credentials/OS-EC2``) and application
credentials (``/v3/users/{id}/application_credentials``)."""
from common import exceptions
from identity.api import base
from identity.api import schemas
from identity.core import credentials as cred_core


class EC2Controller(base.Controller):
    def _view(self, req, cred):
        body = cred_core.ec2_view(self.app.credential_keys, cred)
        body['links'] = {'self': '%s/v3/users/%s/credentials/OS-EC2/%s' % (
            self.base_url(req), cred.user_id, body['access'])}
        return body

    def index(self, req, user_id):
        self.enforce(req, 'identity:ec2_list_credentials', {'user': {'id': user_id}})
        items = [self._view(req, c) for c in self.store.ec2_credentials(user_id)]
        return self.collection(req, 'credentials', items)

    def create(self, req, user_id):
        ctx = self.enforce(req, 'identity:ec2_create_credential', {'user': {'id': user_id}})
        self.refuse_delegated(req, 'create EC2 credentials')
        data = self.body(req, schemas.ec2_create)
        project_id = data.get('tenant_id') or data.get('project_id') or ctx.project_id
        if not project_id:
            raise exceptions.BadRequest("Missing field 'tenant_id'.")
        cred = self.store.create_ec2_credential(user_id, project_id)
        return self.created({'credential': self._view(req, cred)})

    def show(self, req, user_id, access):
        self.enforce(req, 'identity:ec2_get_credential', {'user': {'id': user_id}})
        return {'credential': self._view(req, self.store.get_ec2_credential(user_id, access))}

    def delete(self, req, user_id, access):
        self.enforce(req, 'identity:ec2_delete_credential', {'user': {'id': user_id}})
        self.store.delete_ec2_credential(user_id, access)


class AppCredController(base.Controller):
    def index(self, req, user_id):
        self.enforce(req, 'identity:list_application_credentials', {'user': {'id': user_id}})
        items = [self.app.views.app_cred(req, c, roles)
                 for c, roles in self.store.app_credentials(user_id, req.GET.get('name'))]
        return self.collection(req, 'application_credentials', items)

    def create(self, req, user_id):
        ctx = self.enforce(req, 'identity:create_application_credential',
                           {'user': {'id': user_id}})
        data = self.body(req, schemas.app_cred_create)['application_credential']
        if not ctx.project_id:
            raise exceptions.BadRequest('Application credentials are made with a '
                                        'project-scoped token.')
        claims = self.token_claims(req)
        token_role_ids = [r['id'] for r in claims.get('roles', [])]
        cred, roles, secret = self.store.create_app_credential(
            claims.get('app_cred'), user_id, ctx.project_id, data, token_role_ids)
        body = self.app.views.app_cred(req, cred, roles, secret)
        return self.created({'application_credential': body})

    def show(self, req, user_id, app_cred_id):
        self.enforce(req, 'identity:get_application_credential', {'user': {'id': user_id}})
        cred, roles = self.store.get_app_credential(user_id, app_cred_id)
        return {'application_credential': self.app.views.app_cred(req, cred, roles)}

    def delete(self, req, user_id, app_cred_id):
        self.enforce(req, 'identity:delete_application_credential', {'user': {'id': user_id}})
        self.store.delete_app_credential(self.token_claims(req).get('app_cred'), user_id,
                                         app_cred_id)
