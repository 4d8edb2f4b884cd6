"""Regions, services and endpoints, and the catalog built from them."""
import sqlalchemy as sa

from common import exceptions
from identity.db import models

INTERFACES = ('public', 'internal', 'admin')


def get_region(sess, region_id):
    region = sess.get(models.Region, region_id)
    if region is None:
        raise exceptions.NotFound('Could not find region: %s.' % region_id)
    return region


def create_region(sess, region_id, description='', parent_region_id=None, extra=None):
    if sess.get(models.Region, region_id) is not None:
        raise exceptions.Conflict('Conflict occurred attempting to store region - Duplicate ID, '
                                  '%s.' % region_id)
    if parent_region_id:
        get_region(sess, parent_region_id)
    region = models.Region(id=region_id, description=description or '',
                           parent_region_id=parent_region_id, extra=extra or {})
    sess.add(region)
    sess.flush()
    return region


def update_region(sess, region_id, changes):
    region = get_region(sess, region_id)
    parent = changes.get('parent_region_id')
    if parent:
        get_region(sess, parent)
        # Walk up from the new parent: meeting ourselves means a loop.
        current = parent
        while current:
            if current == region_id:
                raise exceptions.BadRequest('Region %s cannot be its own ancestor.' % region_id)
            current = get_region(sess, current).parent_region_id
    for key, value in changes.items():
        setattr(region, key, value)
    return region


def delete_region(sess, region_id):
    region = get_region(sess, region_id)
    if sess.scalars(sa.select(models.Region).where(
            models.Region.parent_region_id == region_id)).first():
        raise exceptions.Forbidden('Region %s has child regions; delete them first.' % region_id)
    if sess.scalars(sa.select(models.Endpoint).where(
            models.Endpoint.region_id == region_id)).first():
        raise exceptions.Conflict('Region %s still has endpoints.' % region_id)
    sess.delete(region)


def get_service(sess, service_id):
    svc = sess.get(models.CatalogService, service_id)
    if svc is None:
        raise exceptions.NotFound('Could not find service: %s.' % service_id)
    return svc


def create_service(sess, type, name=None, description=None, enabled=True, extra=None):
    svc = models.CatalogService(type=type, name=name, description=description,
                                enabled=enabled, extra=extra or {})
    sess.add(svc)
    sess.flush()
    return svc


def update_service(sess, service_id, changes):
    svc = get_service(sess, service_id)
    for key, value in changes.items():
        setattr(svc, key, value)
    return svc


def delete_service(sess, service_id):
    svc = get_service(sess, service_id)
    sess.execute(sa.delete(models.Endpoint).where(models.Endpoint.service_id == service_id))
    sess.delete(svc)


def get_endpoint(sess, endpoint_id):
    endpoint = sess.get(models.Endpoint, endpoint_id)
    if endpoint is None:
        raise exceptions.NotFound('Could not find endpoint: %s.' % endpoint_id)
    return endpoint


def create_endpoint(sess, service_id, interface, url, region_id=None, enabled=True,
                    extra=None):
    get_service(sess, service_id)
    if region_id:
        get_region(sess, region_id)
    endpoint = models.Endpoint(service_id=service_id, interface=interface, url=url,
                               region_id=region_id, enabled=enabled, extra=extra or {})
    sess.add(endpoint)
    sess.flush()
    return endpoint


def update_endpoint(sess, endpoint_id, changes):
    endpoint = get_endpoint(sess, endpoint_id)
    if changes.get('service_id'):
        get_service(sess, changes['service_id'])
    if changes.get('region_id'):
        get_region(sess, changes['region_id'])
    for key, value in changes.items():
        setattr(endpoint, key, value)
    return endpoint


def delete_endpoint(sess, endpoint_id):
    sess.delete(get_endpoint(sess, endpoint_id))


def _substitute(url, project_id, user_id):
    # Endpoint URLs may name the token's project, e.g. the object store's AUTH_$(project_id)s.
    values = {'project_id': project_id, 'tenant_id': project_id, 'user_id': user_id}
    for key, value in values.items():
        for pattern in ('$(%s)s' % key, '%%(%s)s' % key):
            if pattern in url:
                if value is None:
                    return None
                url = url.replace(pattern, value)
    return url


def build_catalog(sess, project_id=None, user_id=None):
    """The catalog as a token carries it: enabled services with their enabled endpoints."""
    services = list(sess.scalars(sa.select(models.CatalogService).where(
        models.CatalogService.enabled.is_(True)).order_by(models.CatalogService.type)))
    endpoints = list(sess.scalars(sa.select(models.Endpoint).where(
        models.Endpoint.enabled.is_(True))))
    catalog = []
    for svc in services:
        entries = []
        for ep in endpoints:
            if ep.service_id != svc.id:
                continue
            url = _substitute(ep.url, project_id, user_id)
            if url is None:
                continue
            entries.append({'id': ep.id, 'interface': ep.interface, 'region': ep.region_id,
                            'region_id': ep.region_id, 'url': url})
        catalog.append({'id': svc.id, 'type': svc.type, 'name': svc.name or '',
                        'endpoints': entries})
    return catalog
