"""Relations between identity entities: group membership, a user's projects and groups,
implied roles, grants (role assignments) and ``/v3/role_assignments``."""
from common import exceptions
from common import validation
from identity.api import base
from identity.core import assignment as asg


class MembershipController(base.Controller):
    def user_projects(self, req, user_id):
        found = self.store.projects_of_user(user_id, lambda: self.enforce(
            req, 'identity:list_user_projects', {'user': {'id': user_id}}))
        return self.collection(req, 'projects', [self.app.views.project(req, p) for p in found])

    def user_groups(self, req, user_id):
        found = self.store.groups_of_user(user_id, lambda: self.enforce(
            req, 'identity:list_groups_for_user', {'user': {'id': user_id}}))
        return self.collection(req, 'groups', [self.app.views.group(req, g) for g in found])

    def group_users(self, req, group_id):
        found = self.store.users_in_group(group_id, lambda: self.enforce(
            req, 'identity:list_users_in_group', {'group': {'id': group_id}}))
        return self.collection(req, 'users', [self.app.views.user(req, u) for u in found])

    def _authorizer(self, req, rule):
        return lambda target: self.enforce(req, rule, target)

    def add_member(self, req, group_id, user_id):
        self.store.add_user_to_group(group_id, user_id,
                                     self._authorizer(req, 'identity:add_user_to_group'))

    def check_member(self, req, group_id, user_id):
        if not self.store.user_in_group(group_id, user_id,
                                        self._authorizer(req, 'identity:check_user_in_group')):
            raise exceptions.NotFound('User %s is not a member of group %s.'
                                      % (user_id, group_id))

    def remove_member(self, req, group_id, user_id):
        self.store.remove_user_from_group(
            group_id, user_id, self._authorizer(req, 'identity:remove_user_from_group'))

    def change_password(self, req, user_id):
        data = self.body(req, {'type': 'object', 'required': ['user'], 'properties': {
            'user': {'type': 'object', 'required': ['password', 'original_password'],
                     'properties': {'password': {'type': 'string', 'minLength': 1,
                                                 'maxLength': 4096},
                                    'original_password': {'type': 'string',
                                                          'maxLength': 4096}}}}})['user']
        self.store.change_password(user_id, data['original_password'], data['password'])


class ImpliedRoleController(base.Controller):
    def _rule(self, req, prior, implied):
        return {'role_inference': {'prior_role': self.app.views.role_ref(req, prior),
                                   'implies': self.app.views.role_ref(req, implied)},
                'links': {'self': '%s/v3/roles/%s/implies/%s' % (self.base_url(req), prior.id,
                                                                  implied.id)}}

    def create(self, req, prior_role_id, implied_role_id):
        self.enforce(req, 'identity:create_implied_role')
        prior, implied = self.store.create_implied_role(prior_role_id, implied_role_id)
        return self.created(self._rule(req, prior, implied))

    def show(self, req, prior_role_id, implied_role_id):
        self.enforce(req, 'identity:get_implied_role')
        return self._rule(req, *self.store.get_implied_role(prior_role_id, implied_role_id))

    def check(self, req, prior_role_id, implied_role_id):
        """HEAD: 204 when the rule exists, as Keystone answers it."""
        self.enforce(req, 'identity:check_implied_role')
        self.store.get_implied_role(prior_role_id, implied_role_id)

    def delete(self, req, prior_role_id, implied_role_id):
        self.enforce(req, 'identity:delete_implied_role')
        self.store.delete_implied_role(prior_role_id, implied_role_id)

    def list_for_role(self, req, prior_role_id):
        self.enforce(req, 'identity:list_implied_roles')
        prior, implied = self.store.roles_implied_by(prior_role_id)
        return {'role_inference': {
            'prior_role': self.app.views.role_ref(req, prior),
            'implies': [self.app.views.role_ref(req, r) for r in implied]},
            'links': {'self': self.base_url(req) + req.path}}

    def list_all(self, req):
        self.enforce(req, 'identity:list_role_inference_rules')
        result = [{'prior_role': self.app.views.role_ref(req, prior),
                   'implies': [self.app.views.role_ref(req, r) for r in implied]}
                  for prior, implied in self.store.role_inferences()]
        return {'role_inferences': result, 'links': {'self': self.base_url(req) + req.path}}


class GrantController(base.Controller):
    """``/v3/{projects|domains}/{id}/{users|groups}/{id}/roles[/{role}]``, ``/v3/system/...``
    and the OS-INHERIT variants. Policy sees every entity of the assignment (Keystone's
    grant target: the role, the actor and the project or domain), so a domain-scoped rule
    sees all of them."""

    def __init__(self, app, target, actor, inherited=False):
        super().__init__(app)
        self.target, self.actor, self.inherited = target, actor, inherited

    def _ids(self, kw):
        target_id = kw.get('%s_id' % self.target, asg.SYSTEM_TARGET)
        return kw['%s_id' % self.actor], target_id

    def _grant(self, req, operation, rule, role_id, kw):
        actor_id, target_id = self._ids(kw)
        operation(self.actor, actor_id, self.target, target_id, role_id, self.inherited,
                  lambda target: self.enforce(req, rule, target))

    def create(self, req, role_id, **kw):
        self._grant(req, self.store.create_grant, 'identity:create_grant', role_id, kw)

    def check(self, req, role_id, **kw):
        self._grant(req, self.store.check_grant, 'identity:check_grant', role_id, kw)

    def delete(self, req, role_id, **kw):
        self._grant(req, self.store.delete_grant, 'identity:revoke_grant', role_id, kw)

    def index(self, req, **kw):
        actor_id, target_id = self._ids(kw)
        self.enforce(req, 'identity:list_grants')
        roles = self.store.list_grants(self.actor, actor_id, self.target, target_id,
                                       self.inherited)
        return self.collection(req, 'roles', [self.app.views.role(req, r) for r in roles])


class RoleAssignmentController(base.Controller):
    def index(self, req):
        self.enforce(req, 'identity:list_role_assignments')
        effective = 'effective' in req.GET and validation.query_bool(req, 'effective', True)
        include_names = validation.query_bool(req, 'include_names', False)
        include_subtree = validation.query_bool(req, 'include_subtree', False)
        params = req.GET
        if effective and params.get('group.id'):
            raise exceptions.BadRequest('group.id cannot be combined with effective.')
        if params.get('user.id') and params.get('group.id'):
            raise exceptions.BadRequest('Specify user.id or group.id, not both.')
        if include_subtree and not params.get('scope.project.id'):
            raise exceptions.BadRequest('include_subtree needs scope.project.id.')
        inherited = None
        if params.get('scope.OS-INHERIT:inherited_to') is not None:
            if params['scope.OS-INHERIT:inherited_to'] != 'projects':
                raise exceptions.BadRequest("scope.OS-INHERIT:inherited_to must be 'projects'.")
            inherited = True
        entries = self.store.role_assignments(
            effective, params.get('scope.project.id'), include_subtree,
            {'user_id': params.get('user.id'), 'group_id': params.get('group.id'),
             'role_id': params.get('role.id'), 'domain_id': params.get('scope.domain.id'),
             'system': params.get('scope.system'), 'inherited': inherited})
        base_url = self.base_url(req) + '/v3'  # once: it reads the config and request
        items = [self._format(base_url, e) for e in entries]
        if include_names:
            self.store.assignment_names(items)
        return self.collection(req, 'role_assignments', items)

    @staticmethod
    def _format(base_url, e):
        item = {'role': {'id': e['role_id']}}
        item['user' if e['actor_kind'] == 'user' else 'group'] = {'id': e['actor_id']}
        if e['target_kind'] == 'system':
            item['scope'] = {'system': {'all': True}}
        else:
            item['scope'] = {e['target_kind']: {'id': e['target_id']}}
        if e['inherited']:
            item['scope']['OS-INHERIT:inherited_to'] = 'projects'
        target_path = 'system' if e['target_kind'] == 'system' else '%ss/%s' % (
            e['target_kind'], e['target_id'])
        actor_kind = 'groups' if e.get('via_group') else '%ss' % e['actor_kind']
        actor_id = e.get('via_group') or e['actor_id']
        role_id = e.get('prior_role') or e['role_id']
        links = {'assignment': '%s/%s/%s/%s/roles/%s' % (base_url, target_path, actor_kind,
                                                         actor_id, role_id)}
        if e.get('via_group'):
            links['membership'] = '%s/groups/%s/users/%s' % (base_url, e['via_group'],
                                                             e['actor_id'])
        if e.get('prior_role'):
            links['prior_role'] = '%s/roles/%s' % (base_url, e['prior_role'])
        item['links'] = links
        return item
