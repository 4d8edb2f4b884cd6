"""Idempotent creation of what a new cloud needs before anyone can log in."""
import sqlalchemy as sa

from common import exceptions
from identity.core import assignment
from identity.core import catalog
from identity.core import resource
from identity.core import users
from identity.db import models


def _get_or_create(getter, creator):
    try:
        return getter(), False
    except exceptions.NotFound:
        return creator(), True


def bootstrap(db, username, password, project_name='admin', role_name='admin',
              region_id='RegionOne', public_url=None, internal_url=None, admin_url=None,
              hash_cost=14):
    """Default domain, admin > member > reader roles and manager > member (Keystone's
    project manager, which clients such as tempest give their test users), admin project
    and user with the admin role, region and identity endpoints; returns lines describing
    what it did."""
    out = []
    with db.session() as sess:
        domain, made = _get_or_create(
            lambda: resource.get_domain(sess, resource.DEFAULT_DOMAIN_ID),
            lambda: resource.create_domain(sess, 'Default', 'The default domain',
                                           domain_id=resource.DEFAULT_DOMAIN_ID))
        out.append('%s domain Default' % ('created' if made else 'kept'))
        roles = {}
        for name in ('admin', 'manager', 'member', 'reader', role_name):
            roles[name], made = _get_or_create(
                lambda n=name: assignment.find_role(sess, name=n),
                lambda n=name: assignment.create_role(sess, n))
            if made:
                out.append('created role %s' % name)
        for prior, implied in (('admin', 'member'), ('manager', 'member'),
                               ('member', 'reader')):
            if sess.get(models.ImpliedRole, (roles[prior].id, roles[implied].id)) is None:
                assignment.create_implied_role(sess, roles[prior].id, roles[implied].id)
                out.append('role %s now implies %s' % (prior, implied))
        project, made = _get_or_create(
            lambda: resource.find_project(sess, name=project_name, domain_id=domain.id),
            lambda: resource.create_project(sess, project_name, domain.id,
                                            description='Bootstrap project for the cloud '
                                                        'administrator'))
        out.append('%s project %s' % ('created' if made else 'kept', project_name))
        user, made = _get_or_create(
            lambda: users.find_user(sess, name=username, domain_id=domain.id),
            lambda: users.create_user(sess, username, domain.id, password=password,
                                      default_project_id=project.id, hash_cost=hash_cost))
        if not made:
            users.update_user(sess, user.id, {'password': password, 'enabled': True}, hash_cost)
        out.append('%s user %s' % ('created' if made else 'updated password of', username))
        assignment.create_grant(sess, 'user', user.id, 'project', project.id,
                                roles[role_name].id)
        assignment.create_grant(sess, 'user', user.id, 'system', assignment.SYSTEM_TARGET,
                                roles[role_name].id)
        out.append('user %s has role %s on project %s and on the system'
                   % (username, role_name, project_name))
        if region_id:
            _get_or_create(lambda: catalog.get_region(sess, region_id),
                           lambda: catalog.create_region(sess, region_id))
        urls = {'public': public_url, 'internal': internal_url or public_url,
                'admin': admin_url or public_url}
        if public_url:
            ensure_endpoints(sess, 'identity', 'keystone', urls, region_id)
            out.append('identity endpoints at %s' % public_url)
    return out


def ensure_endpoints(sess, service_type, service_name, urls, region_id):
    """Create or update the service of this type and one endpoint per interface."""
    svc = sess.scalars(sa.select(models.CatalogService).where(
        models.CatalogService.type == service_type)).first()
    if svc is None:
        svc = catalog.create_service(sess, service_type, service_name)
    for interface, url in urls.items():
        if not url:
            continue
        endpoint = sess.scalars(sa.select(models.Endpoint).where(
            models.Endpoint.service_id == svc.id, models.Endpoint.interface == interface,
            models.Endpoint.region_id == region_id)).first()
        if endpoint is None:
            catalog.create_endpoint(sess, svc.id, interface, url, region_id)
        elif endpoint.url != url:
            endpoint.url = url
    return svc
