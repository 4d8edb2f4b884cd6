"""The plain CRUD resources of the Identity API, described for the generic controller."""
import uuid

from identity.api import crud
from identity.api import schemas
from identity.core import assignment
from identity.core import catalog
from identity.core import credentials
from identity.core import resource
from identity.core import users
from identity.db import models


def _default_domain(app, req, data):
    """Keystone puts new entities in the caller's domain when the body names none (a child
    project goes in its parent's domain)."""
    from common.wsgi import middleware
    if not data.get('domain_id') and not data.get('parent_id'):
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
    data.setdefault('region_id', legacy)
    return data


def _endpoint_update(sess, endpoint_id, data):
    return catalog.update_endpoint(sess, endpoint_id, _endpoint_prepare(None, None, data))


def _own_rows(column):
    return lambda query, ctx: query.where(column == ctx.user_id)


def build(app):
    """``{name: Resource}`` for every plain CRUD resource."""
    hash_cost = app.conf.identity.password_hash_cost
    return {
        'domains': crud.Resource(
            'domain', 'domains', models.Domain, 'domain', resource.get_domain,
            lambda sess, domain_id=None, **d: resource.create_domain(sess, domain_id=domain_id,
                                                                     **d),
            resource.update_domain, resource.delete_domain,
            schemas.domain_create, schemas.domain_update, filters=('name', 'enabled'),
            booleans=('enabled',), prepare_create=_domain_prepare),
        'projects': crud.Resource(
            'project', 'projects', models.Project, 'project', resource.get_project,
            lambda sess, is_domain=False, **d: resource.create_project(sess, **d),
            resource.update_project, resource.delete_project,
            schemas.project_create, schemas.project_update,
            filters=('name', 'domain_id', 'enabled', 'parent_id'), booleans=('enabled',),
            prepare_create=_default_domain),
        'users': crud.Resource(
            'user', 'users', models.User, 'user', users.get_user, users.create_user,
            lambda sess, uid, data: users.update_user(sess, uid, data, hash_cost),
            users.delete_user, schemas.user_create, schemas.user_update,
            filters=('name', 'domain_id', 'enabled'), booleans=('enabled',),
            prepare_create=_user_prepare),
        'groups': crud.Resource(
            'group', 'groups', models.Group, 'group', users.get_group, users.create_group,
            users.update_group, users.delete_group, schemas.group_create, schemas.group_update,
            filters=('name', 'domain_id'), prepare_create=_default_domain),
        'roles': crud.Resource(
            'role', 'roles', models.Role, 'role', assignment.get_role, assignment.create_role,
            assignment.update_role, assignment.delete_role, schemas.role_create,
            schemas.role_update, filters=('name',), query_hook=role_filter_global),
        'regions': crud.Resource(
            'region', 'regions', models.Region, 'region', catalog.get_region,
            lambda sess, id=None, **d: catalog.create_region(sess, id or uuid.uuid4().hex, **d),
            catalog.update_region, catalog.delete_region, schemas.region_create,
            schemas.region_update, filters=('parent_region_id',)),
        'services': crud.Resource(
            'service', 'services', models.CatalogService, 'service', catalog.get_service,
            catalog.create_service, catalog.update_service, catalog.delete_service,
            schemas.service_create, schemas.service_update, filters=('type', 'name')),
        'endpoints': crud.Resource(
            'endpoint', 'endpoints', models.Endpoint, 'endpoint', catalog.get_endpoint,
            catalog.create_endpoint, _endpoint_update, catalog.delete_endpoint,
            schemas.endpoint_create, schemas.endpoint_update,
            filters=('interface', 'service_id', 'region_id'), prepare_create=_endpoint_prepare),
        'credentials': crud.Resource(
            'credential', 'credentials', models.Credential, 'credential',
            credentials.get_credential,
            lambda sess, id=None, **d: credentials.create_credential(sess, credential_id=id,
                                                                     **d),
            credentials.update_credential, credentials.delete_credential,
            schemas.credential_create, schemas.credential_update,
            filters=('user_id', 'type'), list_scope=_own_rows(models.Credential.user_id)),
    }


def role_filter_global(query, req):
    """``GET /v3/roles`` lists global roles unless ``domain_id`` is given."""
    domain_id = req.GET.get('domain_id')
    return query.where(models.Role.domain_id == (domain_id or assignment.NULL_DOMAIN))

