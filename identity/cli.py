"""``identity``: the identity service's command-line client."""
import sys

from common import cli as cli_mod

CLI = cli_mod.CLI('identity', 'Manage users, projects, roles, assignments, tokens and the '
                  'catalog of the identity service.', 'identity')

USER_COLUMNS = [('ID', 'id'), ('Name', 'name'), ('Domain', 'domain_id'), ('Enabled', 'enabled')]
PROJECT_COLUMNS = [('ID', 'id'), ('Name', 'name'), ('Domain', 'domain_id'),
                   ('Parent', 'parent_id'), ('Enabled', 'enabled')]


def _find(client, collection, ref, key=None, params=None):
    """An entity by id, else by unique name; a clear error otherwise."""
    key = key or collection[:-1]
    resp = client.get('/v3/%s/%s' % (collection, ref), raise_exc=False)
    if resp.status_code == 200:
        return resp.json()[key]
    found = client.get('/v3/%s' % collection, params=dict(params or {}, name=ref)).json()
    items = found[collection]
    if len(items) != 1:
        raise cli_mod.client_mod.ClientError(404 if not items else 409, 'No unique %s named %s'
                                             % (key, ref))
    return items[0]


def _enabled_arg():
    return [(('--enable',), {'dest': 'enabled', 'action': 'store_const', 'const': True}),
            (('--disable',), {'dest': 'enabled', 'action': 'store_const', 'const': False})]


@CLI.command('token issue', 'Issue a token for the current credentials.')
def token_issue(args, client):
    sess = client.session
    token = sess.get_token()
    ref = sess.auth.get_access(sess)
    return {'id': token, 'expires': ref.expires.isoformat(), 'user_id': ref.user_id,
            'project_id': ref.project_id, 'domain_id': ref.domain_id}


@CLI.command('token revoke', 'Revoke a token.', [(('token',), {})])
def token_revoke(args, client):
    client.delete('/v3/auth/tokens', headers={'X-Subject-Token': args.token})


@CLI.command('catalog list', 'List the services and endpoints of the catalog.')
def catalog_list(args, client):
    catalog = client.get('/v3/auth/catalog').json()['catalog']
    rows = [[svc['name'], svc['type'], '\n'.join('%s %s: %s' % (e['region_id'], e['interface'],
                                                               e['url'])
                                                for e in svc['endpoints'])]
            for svc in catalog]
    return cli_mod.Table(['Name', 'Type', 'Endpoints'], rows)


@CLI.command('user list', 'List users.', [(('--domain',), {}), (('--name',), {})])
def user_list(args, client):
    params = {k: v for k, v in (('domain_id', args.domain), ('name', args.name)) if v}
    return cli_mod.table_of(client.get('/v3/users', params=params).json()['users'],
                            USER_COLUMNS)


@CLI.command('user show', 'Show a user.', [(('user',), {})])
def user_show(args, client):
    return _find(client, 'users', args.user)


@CLI.command('user create', 'Create a user.',
             [(('name',), {}), (('--password',), {}), (('--domain',), {}),
              (('--project',), {'help': 'default project'}), (('--email',), {}),
              (('--description',), {})] + _enabled_arg())
def user_create(args, client):
    body = {'name': args.name}
    for key, value in (('password', args.password), ('domain_id', args.domain),
                       ('email', args.email), ('description', args.description),
                       ('enabled', args.enabled)):
        if value is not None:
            body[key] = value
    if args.project:
        body['default_project_id'] = _find(client, 'projects', args.project)['id']
    return client.post('/v3/users', {'user': body}).json()['user']


@CLI.command('user set', 'Change a user.',
             [(('user',), {}), (('--name',), {}), (('--password',), {}), (('--email',), {})]
             + _enabled_arg())
def user_set(args, client):
    user = _find(client, 'users', args.user)
    body = {k: v for k, v in (('name', args.name), ('password', args.password),
                              ('email', args.email), ('enabled', args.enabled)) if v is not None}
    return client.patch('/v3/users/%s' % user['id'], {'user': body}).json()['user']


@CLI.command('user delete', 'Delete users.', [(('users',), {'nargs': '+'})])
def user_delete(args, client):
    for ref in args.users:
        client.delete('/v3/users/%s' % _find(client, 'users', ref)['id'])


@CLI.command('project list', 'List projects.', [(('--domain',), {}), (('--parent',), {})])
def project_list(args, client):
    params = {k: v for k, v in (('domain_id', args.domain), ('parent_id', args.parent)) if v}
    return cli_mod.table_of(client.get('/v3/projects', params=params).json()['projects'],
                            PROJECT_COLUMNS)


@CLI.command('project show', 'Show a project.', [(('project',), {})])
def project_show(args, client):
    return _find(client, 'projects', args.project)


@CLI.command('project create', 'Create a project.',
             [(('name',), {}), (('--domain',), {}), (('--parent',), {}),
              (('--description',), {})] + _enabled_arg())
def project_create(args, client):
    body = {'name': args.name}
    if args.parent:
        body['parent_id'] = _find(client, 'projects', args.parent)['id']
    for key, value in (('domain_id', args.domain), ('description', args.description),
                       ('enabled', args.enabled)):
        if value is not None:
            body[key] = value
    return client.post('/v3/projects', {'project': body}).json()['project']


@CLI.command('project delete', 'Delete projects.', [(('projects',), {'nargs': '+'})])
def project_delete(args, client):
    for ref in args.projects:
        client.delete('/v3/projects/%s' % _find(client, 'projects', ref)['id'])


@CLI.command('domain list', 'List domains.')
def domain_list(args, client):
    return cli_mod.table_of(client.get('/v3/domains').json()['domains'],
                            [('ID', 'id'), ('Name', 'name'), ('Enabled', 'enabled')])


@CLI.command('domain create', 'Create a domain.', [(('name',), {}), (('--description',), {})])
def domain_create(args, client):
    body = {'name': args.name}
    if args.description:
        body['description'] = args.description
    return client.post('/v3/domains', {'domain': body}).json()['domain']


@CLI.command('role list', 'List roles.')
def role_list(args, client):
    return cli_mod.table_of(client.get('/v3/roles').json()['roles'],
                            [('ID', 'id'), ('Name', 'name')])


@CLI.command('role create', 'Create a role.', [(('name',), {})])
def role_create(args, client):
    return client.post('/v3/roles', {'role': {'name': args.name}}).json()['role']


def _grant_path(client, args):
    role = _find(client, 'roles', args.role)
    actor = ('users', _find(client, 'users', args.user)) if args.user else \
        ('groups', _find(client, 'groups', args.group))
    if args.project:
        target = 'projects/%s' % _find(client, 'projects', args.project)['id']
    elif args.domain:
        target = 'domains/%s' % _find(client, 'domains', args.domain)['id']
    else:
        target = 'system'
    return '/v3/%s/%s/%s/roles/%s' % (target, actor[0], actor[1]['id'], role['id'])


_GRANT_ARGS = [(('role',), {}), (('--user',), {}), (('--group',), {}), (('--project',), {}),
               (('--domain',), {}), (('--system',), {'action': 'store_true'})]


@CLI.command('role add', 'Grant a role to a user or group on a project, domain or the system.',
             _GRANT_ARGS)
def role_add(args, client):
    _check_grant_args(args)
    client.put(_grant_path(client, args))


@CLI.command('role remove', 'Remove a role assignment.', _GRANT_ARGS)
def role_remove(args, client):
    _check_grant_args(args)
    client.delete(_grant_path(client, args))


def _check_grant_args(args):
    if bool(args.user) == bool(args.group):
        raise cli_mod.client_mod.ClientError(400, 'give exactly one of --user and --group')
    if sum(bool(x) for x in (args.project, args.domain, args.system)) != 1:
        raise cli_mod.client_mod.ClientError(400, 'give exactly one of --project, --domain and '
                                                  '--system')


@CLI.command('assignment list', 'List role assignments.',
             [(('--user',), {}), (('--project',), {}), (('--effective',),
                                                       {'action': 'store_true'})])
def assignment_list(args, client):
    params = {'include_names': 'true'}
    if args.effective:
        params['effective'] = 'true'
    if args.user:
        params['user.id'] = _find(client, 'users', args.user)['id']
    if args.project:
        params['scope.project.id'] = _find(client, 'projects', args.project)['id']
    rows = []
    for a in client.get('/v3/role_assignments', params=params).json()['role_assignments']:
        actor = a.get('user') or a.get('group')
        scope = a['scope']
        target = (scope.get('project') or scope.get('domain') or {}).get('name') or \
            ('system' if 'system' in scope else '')
        rows.append([a['role'].get('name'), actor.get('name'), target,
                     scope.get('OS-INHERIT:inherited_to') == 'projects'])
    return cli_mod.Table(['Role', 'Actor', 'Scope', 'Inherited'], rows)


@CLI.command('application-credential create', 'Create an application credential for the '
             'current user and project.', [(('name',), {}), (('--secret',), {}),
                                           (('--role',), {'action': 'append'}),
                                           (('--expires',), {}), (('--description',), {})])
def app_cred_create(args, client):
    user_id = client.session.get_user_id()
    body = {'name': args.name}
    if args.secret:
        body['secret'] = args.secret
    if args.role:
        body['roles'] = [{'name': r} for r in args.role]
    if args.expires:
        body['expires_at'] = args.expires
    if args.description:
        body['description'] = args.description
    return client.post('/v3/users/%s/application_credentials' % user_id,
                       {'application_credential': body}).json()['application_credential']


@CLI.command('application-credential list', 'List the current user\'s application '
             'credentials.')
def app_cred_list(args, client):
    user_id = client.session.get_user_id()
    items = client.get('/v3/users/%s/application_credentials' % user_id).json()
    return cli_mod.table_of(items['application_credentials'],
                            [('ID', 'id'), ('Name', 'name'), ('Project', 'project_id'),
                             ('Expires', 'expires_at')])


@CLI.command('ec2-credential create', 'Create an EC2/S3 access key for the current user and '
             'project.')
def ec2_create(args, client):
    user_id = client.session.get_user_id()
    project_id = client.session.get_project_id()
    return client.post('/v3/users/%s/credentials/OS-EC2' % user_id,
                       {'tenant_id': project_id}).json()['credential']


@CLI.command('ec2-credential list', 'List the current user\'s EC2/S3 access keys.')
def ec2_list(args, client):
    user_id = client.session.get_user_id()
    items = client.get('/v3/users/%s/credentials/OS-EC2' % user_id).json()['credentials']
    return cli_mod.table_of(items, [('Access', 'access'), ('Secret', 'secret'),
                                    ('Project', 'tenant_id')])


def main(argv=None):
    return CLI.run(argv)


if __name__ == '__main__':
    sys.exit(main())
