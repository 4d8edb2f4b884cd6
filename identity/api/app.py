"""The identity WSGI application: every ``/v3`` route mapped to its controller."""
import logging

from common import config
from common.wsgi import router as router_mod
from identity.api import auth
from identity.api import creds
from identity.api import crud
from identity.api import domain_configs
from identity.api import endpoint_filter
from identity.api import oauth
from identity.api import project_tags
from identity.api import relations
from identity.api import resources
from identity.api import versions
from identity.core import revoke
from identity.state import IdentityState

LOG = logging.getLogger(__name__)


def _crud_routes(r, ctrl, path, id_name):
    r.add('/v3/%s' % path, ctrl, {'GET': 'index', 'POST': 'create'})
    r.add('/v3/%s/{%s}' % (path, id_name), ctrl,
          {'GET': 'show', 'PATCH': 'update', 'DELETE': 'delete'})


def _grant_routes(r, app):
    for target, tpath in (('project', 'projects/{project_id}'), ('domain', 'domains/{domain_id}'),
                          ('system', 'system')):
        for actor in ('user', 'group'):
            ctrl = relations.GrantController(app, target, actor)
            base = '/v3/%s/%ss/{%s_id}/roles' % (tpath, actor, actor)
            r.add(base, ctrl, {'GET': 'index'})
            r.add(base + '/{role_id}', ctrl, {'PUT': 'create', 'HEAD': 'check', 'GET': 'check',
                                              'DELETE': 'delete'})
            if target == 'system':
                continue
            inherited = relations.GrantController(app, target, actor, inherited=True)
            ibase = '/v3/OS-INHERIT/%s/%ss/{%s_id}/roles' % (tpath, actor, actor)
            r.add(ibase + '/inherited_to_projects', inherited, {'GET': 'index'})
            r.add(ibase + '/{role_id}/inherited_to_projects', inherited,
                  {'PUT': 'create', 'HEAD': 'check', 'GET': 'check', 'DELETE': 'delete'})


def _revocation_publisher(conf):
    """Push revocation events to every service over an AMQP fanout (best effort)."""
    try:
        from common import rpc
        from common.auth import middleware as auth_mw
        publisher = rpc.FanoutPublisher(rpc.get_transport(conf.transport_url),
                                        auth_mw.REVOCATION_EXCHANGE)
    except Exception as exc:
        LOG.warning('revocation push disabled: %s', exc)
        return None
    return lambda events: publisher.publish({'events': events})


def build_router(app):
    r = router_mod.Router()
    ver = versions.VersionsController(app.conf)
    r.add('/', ver, {'GET': 'index'})
    r.add('/v3', ver, {'GET': 'v3'})
    r.add('/v3/', ver, {'GET': 'v3'})

    a = auth.AuthController(app)
    r.add('/v3/auth/tokens', a, {'POST': 'issue', 'GET': 'validate', 'HEAD': 'validate',
                                 'DELETE': 'revoke'})
    r.add('/v3/auth/projects', a, {'GET': 'projects'})
    r.add('/v3/auth/domains', a, {'GET': 'domains'})
    r.add('/v3/auth/system', a, {'GET': 'system'})
    r.add('/v3/auth/catalog', a, {'GET': 'catalog'})
    r.add('/v3/auth/keys', a, {'GET': 'keys'})
    r.add('/v3/OS-REVOKE/events', a, {'GET': 'revoke_events'})
    r.add('/v3/s3tokens', a, {'POST': 's3tokens'})
    r.add('/v3/ec2tokens', a, {'POST': 'ec2tokens'})

    res = resources.build(app)
    for path, id_name in (('domains', 'domain_id'), ('projects', 'project_id'),
                          ('users', 'user_id'), ('groups', 'group_id'), ('roles', 'role_id'),
                          ('regions', 'region_id'), ('services', 'service_id'),
                          ('endpoints', 'endpoint_id'), ('credentials', 'credential_id')):
        _crud_routes(r, crud.CrudController(app, res[path]), path, id_name)
    r.add('/v3/regions/{region_id}', crud.CrudController(app, res['regions']),
          {'PUT': 'create_with_id'})
    _crud_routes(r, crud.CrudController(app, res['policies']), 'policies', 'policy_id')
    _crud_routes(r, crud.CrudController(app, res['consumers']), 'OS-OAUTH1/consumers',
                 'consumer_id')
    groups = crud.CrudController(app, res['endpoint_groups'])
    _crud_routes(r, groups, 'OS-EP-FILTER/endpoint_groups', 'endpoint_group_id')

    oa = oauth.OAuthController(app)
    r.add('/v3/OS-OAUTH1/request_token', oa, {'POST': 'request_token'})
    r.add('/v3/OS-OAUTH1/authorize/{request_token_id}', oa, {'PUT': 'authorize'})
    r.add('/v3/OS-OAUTH1/access_token', oa, {'POST': 'access_token'})
    at = oauth.AccessTokenController(app)
    atp = '/v3/users/{user_id}/OS-OAUTH1/access_tokens'
    r.add(atp, at, {'GET': 'index'})
    r.add(atp + '/{access_token_id}', at, {'GET': 'show', 'DELETE': 'delete'})
    r.add(atp + '/{access_token_id}/roles', at, {'GET': 'roles'})
    r.add(atp + '/{access_token_id}/roles/{role_id}', at, {'GET': 'role'})

    ef = endpoint_filter.EndpointFilterController(app)
    egp = '/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}'
    r.add(egp + '/projects', ef, {'GET': 'projects'})
    r.add(egp + '/projects/{project_id}', ef,
          {'PUT': 'associate', 'GET': 'check', 'DELETE': 'dissociate'})
    r.add(egp + '/endpoints', ef, {'GET': 'endpoints'})
    r.add('/v3/OS-EP-FILTER/projects/{project_id}/endpoint_groups', ef,
          {'GET': 'groups_of_project'})

    dc = domain_configs.DomainConfigController(app)
    r.add('/v3/domains/config/default', dc, {'GET': 'default'})
    r.add('/v3/domains/config/{group}/default', dc, {'GET': 'default'})
    r.add('/v3/domains/config/{group}/{option}/default', dc, {'GET': 'default'})
    r.add('/v3/domains/{domain_id}/config', dc,
          {'GET': 'show', 'PUT': 'replace', 'PATCH': 'update', 'DELETE': 'delete'})
    for path in ('/v3/domains/{domain_id}/config/{group}',
                 '/v3/domains/{domain_id}/config/{group}/{option}'):
        r.add(path, dc, {'GET': 'show', 'PATCH': 'update', 'DELETE': 'delete'})

    tags = project_tags.ProjectTagController(app)
    r.add('/v3/projects/{project_id}/tags', tags,
          {'GET': 'index', 'PUT': 'replace', 'DELETE': 'delete_all'})
    r.add('/v3/projects/{project_id}/tags/{tag}', tags,
          {'GET': 'check', 'HEAD': 'check', 'PUT': 'add', 'DELETE': 'delete'})

    m = relations.MembershipController(app)
    r.add('/v3/users/{user_id}/projects', m, {'GET': 'user_projects'})
    r.add('/v3/users/{user_id}/groups', m, {'GET': 'user_groups'})
    r.add('/v3/users/{user_id}/password', m, {'POST': 'change_password'})
    r.add('/v3/groups/{group_id}/users', m, {'GET': 'group_users'})
    r.add('/v3/groups/{group_id}/users/{user_id}', m,
          {'PUT': 'add_member', 'HEAD': 'check_member', 'GET': 'check_member',
           'DELETE': 'remove_member'})

    imp = relations.ImpliedRoleController(app)
    r.add('/v3/roles/{prior_role_id}/implies', imp, {'GET': 'list_for_role'})
    r.add('/v3/roles/{prior_role_id}/implies/{implied_role_id}', imp,
          {'PUT': 'create', 'GET': 'show', 'HEAD': 'check', 'DELETE': 'delete'})
    r.add('/v3/role_inferences', imp, {'GET': 'list_all'})
    _grant_routes(r, app)
    r.add('/v3/role_assignments', relations.RoleAssignmentController(app), {'GET': 'index'})

    ec2 = creds.EC2Controller(app)
    r.add('/v3/users/{user_id}/credentials/OS-EC2', ec2, {'GET': 'index', 'POST': 'create'})
    r.add('/v3/users/{user_id}/credentials/OS-EC2/{access}', ec2,
          {'GET': 'show', 'DELETE': 'delete'})
    ac = creds.AppCredController(app)
    r.add('/v3/users/{user_id}/application_credentials', ac, {'GET': 'index', 'POST': 'create'})
    r.add('/v3/users/{user_id}/application_credentials/{app_cred_id}', ac,
          {'GET': 'show', 'DELETE': 'delete'})
    return r.finalize()


def app_factory(global_conf, **_local):
    """paste app factory: the service's ConfigOpts arrives as ``__conf__``."""
    conf = config.from_paste(global_conf)
    app = IdentityState.get(conf)
    app.keys.setup()
    app.credential_keys.setup()
    # Events this process records apply to its own validations at once; other identity
    # processes pick them up from the database within sync_interval.
    revoke.add_listener(app.provider.revocations.extend)
    publisher = _revocation_publisher(conf)
    if publisher is not None:
        revoke.add_listener(publisher)
    return build_router(app)
