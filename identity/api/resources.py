"""The plain CRUD resources of the Identity API, described for the generic controller."""
from common import exceptions
from identity.api import crud
from identity.api import schemas


def _default_domain(app, req, data):
    """Keystone puts new entities in the caller's domain when the body names none (a child
    project goes in its parent's domain)."""
    from common.wsgi import middleware
    if not data.get('domain_id') and not data.get('parent_id') and not data.get('is_domain'):
        ctx = middleware.get_context(req)
        data['domain_id'] = (ctx.domain_id or ctx.project_domain_id or
                             app.conf.identity.default_domain_id)
    return data


def _user_prepare(app, req, data):
    data = _default_domain(app, req, data)
    data['hash_cost'] = app.conf.identity.password_hash_cost
    return data


def _domain_prepare(app, req, data):
    explicit = data.pop('explicit_domain_id', None)
    if explicit:
        data['domain_id'] = explicit
    return data


def _endpoint_prepare(app, req, data):
    legacy = data.pop('region', None)
    if legacy and not data.get('region_id'):
        # The legacy ``region`` attribute names a region Keystone makes when it is missing.
        data['region_id'] = legacy
        data['make_missing_region'] = True
    return data


def _credential_guard(ctrl, req, attrs, lookup):
    """An ec2 credential becomes tokens of its user on its project (s3tokens): a delegated
    token may not make or reshape one, and only an admin may bind one to a project where
    its user holds no role."""
    if attrs.get('type') != 'ec2':
        return
    ctrl.refuse_delegated(req, 'create or change EC2 credentials')
    if not attrs.get('project_id') or ctrl.is_admin(req):
        return  # a missing project is refused by the core with a 400
    if not lookup.user_has_project_role(attrs['user_id'], attrs['project_id']):
        raise exceptions.Forbidden('User %s has no role on project %s.'
                                   % (attrs['user_id'], attrs['project_id']))


def build(app):
    """``{name: Resource}`` for every plain CRUD resource."""
    return {
        'domains': crud.Resource('domain', 'domains', 'domain', schemas.domain_create,
                                 schemas.domain_update, prepare_create=_domain_prepare),
        'projects': crud.Resource('project', 'projects', 'project', schemas.project_create,
                                  schemas.project_update, prepare_create=_default_domain),
        'users': crud.Resource('user', 'users', 'user', schemas.user_create,
                               schemas.user_update, prepare_create=_user_prepare),
        'groups': crud.Resource('group', 'groups', 'group', schemas.group_create,
                                schemas.group_update, prepare_create=_default_domain),
        'roles': crud.Resource('role', 'roles', 'role', schemas.role_create,
                               schemas.role_update),
        'regions': crud.Resource('region', 'regions', 'region', schemas.region_create,
                                 schemas.region_update),
        'services': crud.Resource('service', 'services', 'service', schemas.service_create,
                                  schemas.service_update),
        'endpoints': crud.Resource('endpoint', 'endpoints', 'endpoint',
                                   schemas.endpoint_create, schemas.endpoint_update,
                                   prepare_create=_endpoint_prepare,
                                   prepare_update=_endpoint_prepare),
        'credentials': crud.Resource('credential', 'credentials', 'credential',
                                     schemas.credential_create, schemas.credential_update,
                                     own_rows=True, check_write=_credential_guard),
        'policies': crud.Resource('policy', 'policies', 'policy', schemas.policy_create,
                                  schemas.policy_update),
        'endpoint_groups': crud.Resource('endpoint_group', 'endpoint_groups', 'endpoint_group',
                                         schemas.endpoint_group_create,
                                         schemas.endpoint_group_update),
        'consumers': crud.Resource('consumer', 'consumers', 'consumer', schemas.consumer_create,
                                   schemas.consumer_update),
    }
