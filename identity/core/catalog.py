"""Regions, services and endpoints, and the catalog built from them."""
import sqlalchemy as sa

from common import exceptions
from identity.core import plain
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


SERVICES = plain.Plain(models.CatalogService, 'service')
get_service = SERVICES.get
update_service = SERVICES.update


def create_service(sess, type, name=None, description=None, enabled=True, extra=None):
    return SERVICES.create(sess, type=type, name=name, description=description,
                           enabled=enabled, extra=extra or {})


def delete_service(sess, service_id):
    svc = get_service(sess, service_id)
    sess.execute(sa.delete(models.Endpoint).where(models.Endpoint.service_id == service_id))
    sess.delete(svc)


def get_endpoint(sess, endpoint_id):
    endpoint = sess.get(models.Endpoint, endpoint_id)
    if endpoint is None:
        raise exceptions.NotFound('Could not find endpoint: %s.' % endpoint_id)
    return endpoint


def _require_region(sess, region_id, create=False):
    """The region of an endpoint: made when ``create``, else it must exist (400)."""
    if sess.get(models.Region, region_id) is not None:
        return
    if not create:
        raise exceptions.BadRequest('Invalid input for field endpoint region_id: region %s '
                                    'does not exist.' % region_id)
    create_region(sess, region_id)


def create_endpoint(sess, service_id, interface, url, region_id=None, enabled=True,
                    extra=None, make_missing_region=False):
    """A new endpoint; ``make_missing_region``: a missing region is made (legacy attribute)."""
    get_service(sess, service_id)
    if region_id:
        _require_region(sess, region_id, make_missing_region)
    endpoint = models.Endpoint(service_id=service_id, interface=interface, url=url,
                               region_id=region_id, enabled=enabled, extra=extra or {})
    sess.add(endpoint)
    sess.flush()
    return endpoint


def update_endpoint(sess, endpoint_id, changes):
    endpoint = get_endpoint(sess, endpoint_id)
    create = changes.pop('make_missing_region', False)
    if changes.get('service_id'):
        get_service(sess, changes['service_id'])
    if changes.get('region_id'):
        _require_region(sess, changes['region_id'], create)
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
    if project_id:
        groups = project_endpoint_groups(sess, project_id)
        if groups:
            # OS-EP-FILTER: a project with endpoint groups sees only their endpoints
            endpoints = [ep for ep in endpoints if any(_selects(g, ep) for g in groups)]
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


# policies (stored blobs services may fetch) ----------------------------------------------
POLICIES = plain.Plain(models.Policy, 'policy')


# endpoint groups (OS-EP-FILTER) ---------------------------------------------------------
ENDPOINT_GROUPS = plain.Plain(models.EndpointGroup, 'endpoint group')
get_endpoint_group = ENDPOINT_GROUPS.get


def delete_endpoint_group(sess, group_id):
    group = ENDPOINT_GROUPS.get(sess, group_id)
    sess.execute(sa.delete(models.ProjectEndpointGroup).where(
        models.ProjectEndpointGroup.endpoint_group_id == group_id))
    sess.delete(group)


def _selects(group, endpoint):
    return all(getattr(endpoint, key) == value for key, value in (group.filters or {}).items())


def endpoints_of_group(sess, group_id):
    """The endpoints an endpoint group's filters select."""
    group = get_endpoint_group(sess, group_id)
    query = sa.select(models.Endpoint)
    for key, value in (group.filters or {}).items():
        query = query.where(getattr(models.Endpoint, key) == value)
    return list(sess.scalars(query.order_by(models.Endpoint.id)))


def project_endpoint_groups(sess, project_id):
    return list(sess.scalars(sa.select(models.EndpointGroup).join(
        models.ProjectEndpointGroup,
        models.ProjectEndpointGroup.endpoint_group_id == models.EndpointGroup.id).where(
        models.ProjectEndpointGroup.project_id == project_id).order_by(
        models.EndpointGroup.id)))


def _association(sess, group_id, project_id):
    get_endpoint_group(sess, group_id)
    return sess.get(models.ProjectEndpointGroup, (group_id, project_id))


def associate_endpoint_group(sess, group_id, project_id):
    if _association(sess, group_id, project_id) is None:
        sess.add(models.ProjectEndpointGroup(endpoint_group_id=group_id,
                                             project_id=project_id))


def check_endpoint_group_association(sess, group_id, project_id):
    if _association(sess, group_id, project_id) is None:
        raise exceptions.NotFound('Endpoint group %s is not associated with project %s.'
                                  % (group_id, project_id))


def dissociate_endpoint_group(sess, group_id, project_id):
    check_endpoint_group_association(sess, group_id, project_id)
    sess.delete(sess.get(models.ProjectEndpointGroup, (group_id, project_id)))


def endpoint_group_project_ids(sess, group_id):
    get_endpoint_group(sess, group_id)
    return list(sess.scalars(sa.select(models.ProjectEndpointGroup.project_id).where(
        models.ProjectEndpointGroup.endpoint_group_id == group_id).order_by(
        models.ProjectEndpointGroup.project_id)))
