"""Relations between identity entities: group membership, a user's projects and groups,
implied roles, grants (role assignments) and ``/v3/role_assignments``."""
from common import exceptions
from common import validation
from identity.api import base
from identity.core import assignment as asg
from identity.core import assignment_list
from identity.core import resource
from identity.core import users as users_core


class MembershipController(base.Controller):
    def user_projects(self, req, user_id):
        with self.db.session() as sess:
            users_core.get_user(sess, user_id)
            self.enforce(req, 'identity:list_user_projects', {'user': {'id': user_id}})
            items = [self.app.views.project(req, p) for p in asg.user_projects(sess, user_id)]
        return self.collection(req, 'projects', items)

    def user_groups(self, req, user_id):
        with self.db.session() as sess:
            users_core.get_user(sess, user_id)
            self.enforce(req, 'identity:list_groups_for_user', {'user': {'id': user_id}})
            items = [self.app.views.group(req, users_core.get_group(sess, g))
                     for g in users_core.user_group_ids(sess, user_id)]
        return self.collection(req, 'groups', items)

    def group_users(self, req, group_id):
        with self.db.session() as sess:
            users_core.get_group(sess, group_id)
            self.enforce(req, 'identity:list_users_in_group', {'group': {'id': group_id}})
            items = [self.app.views.user(req, users_core.get_user(sess, u))
                     for u in users_core.group_member_ids(sess, group_id)]
        return self.collection(req, 'users', items)

    def add_member(self, req, group_id, user_id):
        self.enforce(req, 'identity:add_user_to_group', {'group': {'id': group_id}})
        with self.db.session() as sess:
            users_core.add_to_group(sess, user_id, group_id)

    def check_member(self, req, group_id, user_id):
        self.enforce(req, 'identity:check_user_in_group', {'group': {'id': group_id}})
        with self.db.session() as sess:
            if not users_core.is_in_group(sess, user_id, group_id):
                raise exceptions.NotFound('User %s is not a member of group %s.'
                                          % (user_id, group_id))

    def remove_member(self, req, group_id, user_id):
        self.enforce(req, 'identity:remove_user_from_group', {'group': {'id': group_id}})
        with self.db.session() as sess:
            users_core.remove_from_group(sess, user_id, group_id)

    def change_password(self, req, user_id):
        data = self.body(req, {'type': 'object', 'required': ['user'], 'properties': {
            'user': {'type': 'object', 'required': ['password', 'original_password'],
                     'properties': {'password': {'type': 'string', 'minLength': 1,
                                                 'maxLength': 4096},
                                    'original_password': {'type': 'string',
                                                          'maxLength': 4096}}}}})['user']
        with self.db.session() as sess:
            users_core.change_password(sess, user_id, data['original_password'],
                                       data['password'],
                                       self.app.conf.identity.password_hash_cost)


class ImpliedRoleController(base.Controller):
    def _rule(self, req, prior, implied):
        return {'role_inference': {'prior_role': self.app.views.role_ref(req, prior),
                                   'implies': self.app.views.role_ref(req, implied)},
                'links': {'self': '%s/v3/roles/%s/implies/%s' % (self.base_url(req), prior.id,
                                                                  implied.id)}}

    def create(self, req, prior_role_id, implied_role_id):
        self.enforce(req, 'identity:create_implied_role')
        with self.db.session() as sess:
            prior, implied = asg.create_implied_role(sess, prior_role_id, implied_role_id)
            return self.created(self._rule(req, prior, implied))

    def show(self, req, prior_role_id, implied_role_id):
        self.enforce(req, 'identity:get_implied_role')
        with self.db.session() as sess:
            asg.get_implied_role(sess, prior_role_id, implied_role_id)
            return self._rule(req, asg.get_role(sess, prior_role_id),
                              asg.get_role(sess, implied_role_id))

    def delete(self, req, prior_role_id, implied_role_id):
        self.enforce(req, 'identity:delete_implied_role')
        with self.db.session() as sess:
            asg.delete_implied_role(sess, prior_role_id, implied_role_id)

    def list_for_role(self, req, prior_role_id):
        self.enforce(req, 'identity:list_implied_roles')
        with self.db.session() as sess:
            prior = asg.get_role(sess, prior_role_id)
            implied = [asg.get_role(sess, r) for r in asg.implied_map(sess).get(prior.id, [])]
            return {'role_inference': {
                'prior_role': self.app.views.role_ref(req, prior),
                'implies': [self.app.views.role_ref(req, r) for r in implied]},
                'links': {'self': self.base_url(req) + req.path}}

    def list_all(self, req):
        self.enforce(req, 'identity:list_role_inference_rules')
        with self.db.session() as sess:
            result = []
            for prior_id, implied_ids in sorted(asg.implied_map(sess).items()):
                result.append({'prior_role': self.app.views.role_ref(
                    req, asg.get_role(sess, prior_id)),
                    'implies': [self.app.views.role_ref(req, asg.get_role(sess, i))
                                for i in implied_ids]})
        return {'role_inferences': result, 'links': {'self': self.base_url(req) + req.path}}


class GrantController(base.Controller):
    """``/v3/{projects|domains}/{id}/{users|groups}/{id}/roles[/{role}]``, ``/v3/system/...``
    and the OS-INHERIT variants."""

    def __init__(self, app, target, actor, inherited=False):
        super().__init__(app)
        self.target, self.actor, self.inherited = target, actor, inherited

    def _ids(self, kw):
        target_id = kw.get('%s_id' % self.target, asg.SYSTEM_TARGET)
        return kw['%s_id' % self.actor], target_id

    def create(self, req, role_id, **kw):
        actor_id, target_id = self._ids(kw)
        self.enforce(req, 'identity:create_grant', {'target': {self.target: {'id': target_id}}})
        with self.db.session() as sess:
            asg.create_grant(sess, self.actor, actor_id, self.target, target_id, role_id,
                             self.inherited)

    def check(self, req, role_id, **kw):
        actor_id, target_id = self._ids(kw)
        self.enforce(req, 'identity:check_grant')
        with self.db.session() as sess:
            asg.check_grant(sess, self.actor, actor_id, self.target, target_id, role_id,
                            self.inherited)

    def delete(self, req, role_id, **kw):
        actor_id, target_id = self._ids(kw)
        self.enforce(req, 'identity:revoke_grant', {'target': {self.target: {'id': target_id}}})
        with self.db.session() as sess:
            asg.delete_grant(sess, self.actor, actor_id, self.target, target_id, role_id,
                             self.inherited)

    def index(self, req, **kw):
        actor_id, target_id = self._ids(kw)
        self.enforce(req, 'identity:list_grants')
        with self.db.session() as sess:
            roles = asg.list_grants(sess, self.actor, actor_id, self.target, target_id,
                                    self.inherited)
            items = [self.app.views.role(req, r) for r in roles]
        return self.collection(req, 'roles', items)


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
        with self.db.session() as sess:
            entries = assignment_list.raw_assignments(sess)
            if effective:
                entries = assignment_list.effective_assignments(sess, entries)
            project_ids = None
            if params.get('scope.project.id'):
                project_ids = {params['scope.project.id']}
                if include_subtree:
                    project_ids |= {p.id for p in resource.subtree(sess,
                                                                   params['scope.project.id'])}
            entries = assignment_list.filter_assignments(
                entries, user_id=params.get('user.id'), group_id=params.get('group.id'),
                role_id=params.get('role.id'), project_id=project_ids,
                domain_id=params.get('scope.domain.id'),
                system=params.get('scope.system'), inherited=inherited)
            items = [self._format(req, sess, e, include_names) for e in entries]
        return self.collection(req, 'role_assignments', items)

    def _format(self, req, sess, e, include_names):
        base_url = self.base_url(req) + '/v3'
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
        if include_names:
            self._add_names(sess, item)
        return item

    @staticmethod
    def _add_names(sess, item):
        role = asg.get_role(sess, item['role']['id'])
        item['role'].update(name=role.name)
        if asg.role_domain(role):
            item['role']['domain'] = {'id': asg.role_domain(role)}
        for kind, getter in (('user', users_core.get_user), ('group', users_core.get_group)):
            if kind in item:
                entity = getter(sess, item[kind]['id'])
                dom = resource.get_domain(sess, entity.domain_id)
                item[kind].update(name=entity.name, domain={'id': dom.id, 'name': dom.name})
        scope = item['scope']
        if 'project' in scope:
            project = resource.get_project(sess, scope['project']['id'])
            dom = resource.get_domain(sess, project.domain_id)
            scope['project'].update(name=project.name, domain={'id': dom.id, 'name': dom.name})
        elif 'domain' in scope:
            scope['domain']['name'] = resource.get_domain(sess, scope['domain']['id']).name
