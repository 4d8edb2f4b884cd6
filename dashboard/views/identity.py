"""Identity administration (admin role only, enforced for every /identity/ path by the
app): projects, users, role assignments, through python-keystoneclient."""
from common import client
from common import exceptions
from dashboard import app as app_mod


def _plain(resource, fields):
    return {f: getattr(resource, f, None) for f in fields}


class Identity(app_mod.Page):
    def _ks(self, req):
        cloud = self.cloud(req)
        return cloud, cloud.identity()

    def projects(self, req):
        cloud, ks = self._ks(req)
        projects = cloud.call_identity(ks.projects.list)
        rows = sorted((_plain(p, ('id', 'name', 'description', 'enabled', 'domain_id'))
                       for p in projects), key=lambda p: p['name'])
        return self.render(req, 'identity_projects.html', projects=rows)

    def create_project(self, req):
        cloud, ks = self._ks(req)

        def run():
            name = app_mod.form_text(req, 'name', True, 64, 'Name')
            description = app_mod.form_text(req, 'description', label='Description')
            domain = req.POST.get('domain_id', 'default') or 'default'
            return cloud.call_identity(ks.projects.create, name=name, domain=domain,
                                       description=description)
        return self.act(req, '/identity/projects', run,
                        lambda p: 'Project %s created.' % p.name)

    def delete_project(self, req, id):
        cloud, ks = self._ks(req)
        id = app_mod.path_id(id)
        if id == cloud.project_id:
            self.flash(req, 'error', 'You cannot delete the project you are working in.')
            return self.redirect('/identity/projects')
        return self.act(req, '/identity/projects',
                        lambda: cloud.call_identity(ks.projects.delete, id),
                        'Project deleted.')

    def project(self, req, id):
        cloud, ks = self._ks(req)
        id = app_mod.path_id(id)
        project = cloud.call_identity(ks.projects.get, id)
        assignments = cloud.call_identity(ks.role_assignments.list, project=id,
                                          include_names=True)
        rows = []
        for a in assignments:
            user = getattr(a, 'user', None) or {}
            role = getattr(a, 'role', None) or {}
            group = getattr(a, 'group', None) or {}
            rows.append({'user_id': user.get('id'), 'user': user.get('name'),
                         'group': group.get('name'), 'role_id': role.get('id'),
                         'role': role.get('name')})
        users = cloud.call_identity(ks.users.list)
        roles = cloud.call_identity(ks.roles.list)
        return self.render(req, 'identity_project.html',
                           project=_plain(project, ('id', 'name', 'description', 'enabled')),
                           assignments=rows,
                           users=sorted((_plain(u, ('id', 'name')) for u in users),
                                        key=lambda u: u['name']),
                           roles=sorted((_plain(r, ('id', 'name')) for r in roles),
                                        key=lambda r: r['name']))

    def _assignment(self, req, id, method, done):
        cloud, ks = self._ks(req)
        id = app_mod.path_id(id)
        user = app_mod.path_id(req.POST.get('user_id', ''))
        role = app_mod.path_id(req.POST.get('role_id', ''))
        return self.act(req, '/identity/projects/%s' % id, lambda: cloud.call_identity(
            getattr(ks.roles, method), role, user=user, project=id), done)

    def grant(self, req, id):
        return self._assignment(req, id, 'grant', 'Role granted.')

    def revoke(self, req, id):
        return self._assignment(req, id, 'revoke', 'Role revoked.')

    def users(self, req):
        cloud, ks = self._ks(req)
        users = sorted((_plain(u, ('id', 'name', 'email', 'enabled', 'domain_id',
                                   'default_project_id'))
                        for u in cloud.call_identity(ks.users.list)),
                       key=lambda u: u['name'])
        projects = sorted((_plain(p, ('id', 'name')) for p in
                           cloud.call_identity(ks.projects.list)), key=lambda p: p['name'])
        roles = sorted((_plain(r, ('id', 'name')) for r in cloud.call_identity(ks.roles.list)),
                       key=lambda r: r['name'])
        names = {p['id']: p['name'] for p in projects}
        for user in users:
            user['project'] = names.get(user['default_project_id'])
        return self.render(req, 'identity_users.html', users=users, projects=projects,
                           roles=roles)

    def create_user(self, req):
        """The user and, when a project is chosen, its role there; a failed grant deletes
        the user again (nothing half-made)."""
        cloud, ks = self._ks(req)

        def run():
            name = app_mod.form_text(req, 'name', True, 255, 'Name')
            password = req.POST.get('password', '')
            if len(password) < 1 or len(password) > 4096:
                raise exceptions.BadRequest('Password is required.')
            email = app_mod.form_text(req, 'email', label='Email')
            project = req.POST.get('project_id', '')
            role = req.POST.get('role_id', '')
            if project:
                app_mod.path_id(project)
                if not role:
                    raise exceptions.BadRequest('Choose the role the user has in the '
                                                'project.')
                app_mod.path_id(role)
            extra = {'email': email} if email else {}
            user = cloud.call_identity(ks.users.create, name=name, password=password,
                                       domain='default', default_project=project or None,
                                       **extra)
            if project:
                try:
                    cloud.call_identity(ks.roles.grant, role, user=user.id, project=project)
                except client.ClientError:
                    cloud.call_identity(ks.users.delete, user.id)
                    raise
            return user
        return self.act(req, '/identity/users', run, lambda u: 'User %s created.' % u.name)

    def delete_user(self, req, id):
        cloud, ks = self._ks(req)
        id = app_mod.path_id(id)
        if id == self.session(req)['user']['id']:
            self.flash(req, 'error', 'You cannot delete yourself.')
            return self.redirect('/identity/users')
        return self.act(req, '/identity/users',
                        lambda: cloud.call_identity(ks.users.delete, id), 'User deleted.')


def add_routes(add, app):
    i = Identity(app)
    add('/identity/projects', i, {'GET': 'projects', 'POST': 'create_project'})
    add('/identity/projects/{id}', i, {'GET': 'project'})
    add('/identity/projects/{id}/delete', i, {'POST': 'delete_project'})
    add('/identity/projects/{id}/grant', i, {'POST': 'grant'})
    add('/identity/projects/{id}/revoke', i, {'POST': 'revoke'})
    add('/identity/users', i, {'GET': 'users', 'POST': 'create_user'})
    add('/identity/users/{id}/delete', i, {'POST': 'delete_user'})
