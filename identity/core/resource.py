"""Domains and projects (projects form a hierarchy through parent_id)."""
import sqlalchemy as sa

from common import exceptions
from identity.core import revoke
from identity.db import models

DEFAULT_DOMAIN_ID = 'default'


def get_domain(sess, domain_id):
    domain = sess.get(models.Domain, domain_id)
    if domain is None:
        raise exceptions.NotFound('Could not find domain: %s.' % domain_id)
    return domain


def find_domain(sess, domain_id=None, name=None):
    """A domain by id or by name; 401-style callers translate NotFound themselves."""
    if domain_id:
        return get_domain(sess, domain_id)
    domain = sess.scalars(sa.select(models.Domain).where(models.Domain.name == name)).first()
    if domain is None:
        raise exceptions.NotFound('Could not find domain: %s.' % name)
    return domain


def create_domain(sess, name, description=None, enabled=True, domain_id=None, tags=None,
                  extra=None):
    if sess.scalars(sa.select(models.Domain).where(models.Domain.name == name)).first():
        raise exceptions.Conflict('Conflict occurred attempting to store domain - Duplicate '
                                  'entry found with name %s.' % name)
    if domain_id and sess.get(models.Domain, domain_id) is not None:
        raise exceptions.Conflict('Conflict occurred attempting to store domain - Duplicate '
                                  'entry found with ID %s.' % domain_id)
    domain = models.Domain(name=name, description=description, enabled=enabled,
                           tags=tags or [], extra=extra or {})
    if domain_id:
        domain.id = domain_id
    sess.add(domain)
    sess.flush()
    return domain


def update_domain(sess, domain_id, changes):
    domain = get_domain(sess, domain_id)
    if 'name' in changes and changes['name'] != domain.name:
        if sess.scalars(sa.select(models.Domain).where(
                models.Domain.name == changes['name'])).first():
            raise exceptions.Conflict('Conflict occurred attempting to update domain - '
                                      'Duplicate entry found with name %s.' % changes['name'])
    was_enabled = domain.enabled
    for key, value in changes.items():
        setattr(domain, key, value)
    if was_enabled and changes.get('enabled') is False:
        revoke.record(sess, domain_id=domain_id)
    return domain


def delete_domain(sess, domain_id):
    domain = get_domain(sess, domain_id)
    if domain.enabled:
        raise exceptions.Forbidden('Cannot delete a domain that is enabled, please disable it '
                                   'first.')
    if domain.id == DEFAULT_DOMAIN_ID:
        raise exceptions.Forbidden('The default domain cannot be deleted.')
    _delete_contents(sess, domain_id)
    sess.execute(sa.delete(models.Assignment).where(models.Assignment.target_id == domain_id))
    sess.execute(sa.delete(models.Role).where(models.Role.domain_id == domain_id))
    revoke.record(sess, domain_id=domain_id)
    sess.delete(domain)


def _delete_contents(sess, domain_id):
    """A deleted domain takes its users, groups and projects with it (Keystone's cascade),
    each removed as its own delete would (assignments, memberships, revocation events)."""
    from identity.core import users  # users builds on this module
    for user_id in list(sess.scalars(sa.select(models.User.id).where(
            models.User.domain_id == domain_id))):
        users.delete_user(sess, user_id)
    for group_id in list(sess.scalars(sa.select(models.Group.id).where(
            models.Group.domain_id == domain_id))):
        users.delete_group(sess, group_id)
    projects = list(sess.scalars(sa.select(models.Project).where(
        models.Project.domain_id == domain_id)))
    parents_of = {p.id: p.parent_id for p in projects}

    def depth(project_id):
        level, seen = 0, set()
        while parents_of.get(project_id) in parents_of and project_id not in seen:
            seen.add(project_id)
            project_id = parents_of[project_id]
            level += 1
        return level
    for project in sorted(projects, key=lambda p: depth(p.id), reverse=True):
        delete_project(sess, project.id)
        sess.flush()


def get_project(sess, project_id):
    project = sess.get(models.Project, project_id)
    if project is None:
        raise exceptions.NotFound('Could not find project: %s.' % project_id)
    return project


def find_project(sess, project_id=None, name=None, domain_id=None):
    if project_id:
        return get_project(sess, project_id)
    project = sess.scalars(sa.select(models.Project).where(
        models.Project.name == name, models.Project.domain_id == domain_id)).first()
    if project is None:
        raise exceptions.NotFound('Could not find project: %s.' % name)
    return project


def create_project(sess, name, domain_id=None, parent_id=None, description=None, enabled=True,
                   tags=None, extra=None, project_id=None):
    parent = None
    if parent_id:
        parent = get_project(sess, parent_id)
        if domain_id and domain_id != parent.domain_id:
            raise exceptions.BadRequest('Cannot create project: the parent %s is in domain %s, '
                                        'not %s.' % (parent_id, parent.domain_id, domain_id))
        domain_id = parent.domain_id
    domain_id = domain_id or DEFAULT_DOMAIN_ID
    get_domain(sess, domain_id)
    if sess.scalars(sa.select(models.Project).where(
            models.Project.name == name, models.Project.domain_id == domain_id)).first():
        raise exceptions.Conflict('Conflict occurred attempting to store project - Duplicate '
                                  'entry found with name %s at domain ID %s.' % (name, domain_id))
    project = models.Project(name=name, domain_id=domain_id, parent_id=parent_id,
                             description=description, enabled=enabled, tags=tags or [],
                             extra=extra or {})
    if project_id:
        project.id = project_id
    sess.add(project)
    sess.flush()
    return project


def update_project(sess, project_id, changes):
    project = get_project(sess, project_id)
    if 'domain_id' in changes and changes['domain_id'] != project.domain_id:
        raise exceptions.BadRequest('Cannot change the domain_id of a project.')
    if 'parent_id' in changes and changes['parent_id'] != project.parent_id:
        raise exceptions.BadRequest('Cannot change the parent_id of a project.')
    if 'name' in changes and changes['name'] != project.name:
        if sess.scalars(sa.select(models.Project).where(
                models.Project.name == changes['name'],
                models.Project.domain_id == project.domain_id)).first():
            raise exceptions.Conflict('Conflict occurred attempting to update project - '
                                      'Duplicate entry found with name %s at domain ID %s.'
                                      % (changes['name'], project.domain_id))
    was_enabled = project.enabled
    for key, value in changes.items():
        if key not in ('domain_id', 'parent_id'):
            setattr(project, key, value)
    if was_enabled and changes.get('enabled') is False:
        revoke.record(sess, project_id=project_id)
    return project


def children(sess, project_id):
    return list(sess.scalars(sa.select(models.Project).where(
        models.Project.parent_id == project_id)))


def subtree(sess, project_id):
    """Every project below ``project_id`` (not including it)."""
    return subtrees(sess, [project_id])[project_id]


def subtrees(sess, project_ids):
    """``{id: [every project below it]}`` for many projects, one query per level of depth
    (not one per project)."""
    result = {pid: [] for pid in project_ids}
    frontier = {pid: {pid} for pid in project_ids}  # project id -> the roots above it
    seen = set(project_ids)
    while frontier:
        found = list(sess.scalars(sa.select(models.Project).where(
            models.Project.parent_id.in_(list(frontier)))))
        nxt = {}
        for project in found:
            roots = frontier[project.parent_id]
            for root in roots:
                result[root].append(project)
            if project.id not in seen:  # a parent cycle must not loop forever
                seen.add(project.id)
                nxt[project.id] = set(roots)
        frontier = nxt
    return result


def projects_in_domains(sess, domain_ids):
    """``{domain id: [project ids]}`` in one query."""
    result = {did: [] for did in domain_ids}
    if domain_ids:
        for pid, did in sess.execute(sa.select(models.Project.id, models.Project.domain_id)
                                     .where(models.Project.domain_id.in_(list(domain_ids)))):
            result[did].append(pid)
    return result


def parents(sess, project):
    """The chain of ancestors of ``project``, nearest first."""
    chain, seen = [], set()
    current = project
    while current.parent_id and current.parent_id not in seen:
        seen.add(current.parent_id)
        current = sess.get(models.Project, current.parent_id)
        if current is None:
            break
        chain.append(current)
    return chain


def delete_project(sess, project_id):
    project = get_project(sess, project_id)
    if children(sess, project_id):
        raise exceptions.Forbidden('Cannot delete project %s: it has child projects.'
                                   % project_id)
    sess.execute(sa.delete(models.Assignment).where(models.Assignment.target_id == project_id))
    sess.execute(sa.delete(models.ProjectEndpointGroup).where(
        models.ProjectEndpointGroup.project_id == project_id))
    revoke.record(sess, project_id=project_id)
    sess.delete(project)


# project tags ---------------------------------------------------------------------------
MAX_TAGS = 80


def check_tag(tag):
    """A tag as Keystone allows it: 1 to 255 characters, no ``/`` or ``,``."""
    if not isinstance(tag, str) or not 1 <= len(tag) <= 255 or '/' in tag or ',' in tag:
        raise exceptions.BadRequest('A tag is 1 to 255 characters without "/" or ",".')
    return tag


def replace_project_tags(sess, project_id, tags):
    project = get_project(sess, project_id)
    tags = [check_tag(t) for t in tags]
    if len(set(tags)) != len(tags):
        raise exceptions.BadRequest('The tags of a project must be unique.')
    if len(tags) > MAX_TAGS:
        raise exceptions.BadRequest('A project has at most %d tags.' % MAX_TAGS)
    project.tags = tags
    return list(tags)


def add_project_tag(sess, project_id, tag):
    project = get_project(sess, project_id)
    tags = list(project.tags or [])
    if check_tag(tag) not in tags:
        if len(tags) >= MAX_TAGS:
            raise exceptions.BadRequest('A project has at most %d tags.' % MAX_TAGS)
        project.tags = tags + [tag]
    return list(project.tags)


def remove_project_tag(sess, project_id, tag):
    project = get_project(sess, project_id)
    tags = list(project.tags or [])
    if tag not in tags:
        raise exceptions.NotFound('Project %s has no tag %s.' % (project_id, tag))
    tags.remove(tag)
    project.tags = tags
