"""Roles, implied roles and role assignments, and the effective roles they add up to."""
import sqlalchemy as sa

from common import exceptions
from identity.core import resource
from identity.core import revoke
from identity.core import users as users_core
from identity.db import models

NULL_DOMAIN = '<<null>>'
SYSTEM_TARGET = 'system'

USER_PROJECT, GROUP_PROJECT = 'UserProject', 'GroupProject'
USER_DOMAIN, GROUP_DOMAIN = 'UserDomain', 'GroupDomain'
USER_SYSTEM, GROUP_SYSTEM = 'UserSystem', 'GroupSystem'


# roles ------------------------------------------------------------------------------
def get_role(sess, role_id):
    role = sess.get(models.Role, role_id)
    if role is None:
        raise exceptions.NotFound('Could not find role: %s.' % role_id)
    return role


def find_role(sess, role_id=None, name=None, domain_id=None):
    if role_id:
        return get_role(sess, role_id)
    role = sess.scalars(sa.select(models.Role).where(
        models.Role.name == name, models.Role.domain_id == (domain_id or NULL_DOMAIN))).first()
    if role is None:
        raise exceptions.NotFound('Could not find role: %s.' % name)
    return role


def create_role(sess, name, domain_id=None, description=None, options=None, role_id=None):
    if domain_id:
        resource.get_domain(sess, domain_id)
    stored_domain = domain_id or NULL_DOMAIN
    if sess.scalars(sa.select(models.Role).where(models.Role.name == name,
                                                 models.Role.domain_id == stored_domain)).first():
        raise exceptions.Conflict('Conflict occurred attempting to store role - Duplicate entry '
                                  'found with name %s.' % name)
    role = models.Role(name=name, domain_id=stored_domain, description=description,
                       options=options or {})
    if role_id:
        role.id = role_id
    sess.add(role)
    sess.flush()
    return role


def update_role(sess, role_id, changes):
    role = get_role(sess, role_id)
    if 'domain_id' in changes and (changes['domain_id'] or NULL_DOMAIN) != role.domain_id:
        raise exceptions.BadRequest('Cannot change the domain_id of a role.')
    if 'name' in changes and changes['name'] != role.name:
        if sess.scalars(sa.select(models.Role).where(
                models.Role.name == changes['name'],
                models.Role.domain_id == role.domain_id)).first():
            raise exceptions.Conflict('Conflict occurred attempting to update role - Duplicate '
                                      'entry found with name %s.' % changes['name'])
    for key, value in changes.items():
        if key != 'domain_id':
            setattr(role, key, value)
    return role


def delete_role(sess, role_id):
    role = get_role(sess, role_id)
    for row in sess.scalars(sa.select(models.Assignment).where(
            models.Assignment.role_id == role_id)):
        _revoke_for_assignment(sess, row)
    sess.execute(sa.delete(models.Assignment).where(models.Assignment.role_id == role_id))
    sess.execute(sa.delete(models.ImpliedRole).where(sa.or_(
        models.ImpliedRole.prior_role_id == role_id,
        models.ImpliedRole.implied_role_id == role_id)))
    sess.delete(role)


def role_domain(role):
    return None if role.domain_id == NULL_DOMAIN else role.domain_id


# implied roles ----------------------------------------------------------------------
def create_implied_role(sess, prior_id, implied_id):
    prior, implied = get_role(sess, prior_id), get_role(sess, implied_id)
    if prior_id == implied_id:
        raise exceptions.BadRequest('Role %s cannot imply itself: that would make a cycle.'
                                    % prior.name)
    if role_domain(implied) is not None and role_domain(prior) is None:
        raise exceptions.Forbidden('A global role cannot imply a domain-specific role.')
    if prior_id in implied_closure(sess, [implied_id]):
        raise exceptions.Conflict('Role %s cannot imply %s: that would make a cycle of '
                                  'implied roles.' % (prior.name, implied.name))
    if sess.get(models.ImpliedRole, (prior_id, implied_id)) is None:
        sess.add(models.ImpliedRole(prior_role_id=prior_id, implied_role_id=implied_id))
    return prior, implied


def get_implied_role(sess, prior_id, implied_id):
    get_role(sess, prior_id)
    get_role(sess, implied_id)
    rule = sess.get(models.ImpliedRole, (prior_id, implied_id))
    if rule is None:
        raise exceptions.NotFound('%s does not imply %s.' % (prior_id, implied_id))
    return rule


def delete_implied_role(sess, prior_id, implied_id):
    sess.delete(get_implied_role(sess, prior_id, implied_id))


def implied_map(sess):
    """``{prior_id: [implied_id, ...]}`` for every rule."""
    result = {}
    for rule in sess.scalars(sa.select(models.ImpliedRole)):
        result.setdefault(rule.prior_role_id, []).append(rule.implied_role_id)
    return result


def implied_closure(sess, role_ids, rules=None):
    """Every role reachable from ``role_ids`` through implication (not including them)."""
    rules = implied_map(sess) if rules is None else rules
    seen, frontier = set(), list(role_ids)
    while frontier:
        for implied in rules.get(frontier.pop(), ()):
            if implied not in seen:
                seen.add(implied)
                frontier.append(implied)
    return seen - set(role_ids)


def expand_roles(sess, role_ids, rules=None):
    """Role ids plus every role they imply; domain-specific roles never appear in tokens."""
    all_ids = set(role_ids) | implied_closure(sess, role_ids, rules)
    roles = list(sess.scalars(sa.select(models.Role).where(models.Role.id.in_(all_ids))))
    return [r for r in roles if r.domain_id == NULL_DOMAIN]


# grants -----------------------------------------------------------------------------
def _assignment_type(actor, target):
    return {('user', 'project'): USER_PROJECT, ('group', 'project'): GROUP_PROJECT,
            ('user', 'domain'): USER_DOMAIN, ('group', 'domain'): GROUP_DOMAIN,
            ('user', 'system'): USER_SYSTEM, ('group', 'system'): GROUP_SYSTEM}[(actor, target)]


def _check_grant_parts(sess, actor, actor_id, target, target_id, role_id):
    role = get_role(sess, role_id)
    (users_core.get_user if actor == 'user' else users_core.get_group)(sess, actor_id)
    if target == 'project':
        target_domain = resource.get_project(sess, target_id).domain_id
    elif target == 'domain':
        target_domain = resource.get_domain(sess, target_id).id
    else:
        target_domain = None
    if role_domain(role) is not None and role_domain(role) != target_domain:
        raise exceptions.Forbidden('Domain-specific role %s cannot be assigned outside domain %s.'
                                   % (role_id, role_domain(role)))
    return role


def create_grant(sess, actor, actor_id, target, target_id, role_id, inherited=False):
    _check_grant_parts(sess, actor, actor_id, target, target_id, role_id)
    key = (_assignment_type(actor, target), actor_id, target_id, role_id, inherited)
    if sess.get(models.Assignment, key) is None:
        sess.add(models.Assignment(type=key[0], actor_id=actor_id, target_id=target_id,
                                   role_id=role_id, inherited=inherited))


def check_grant(sess, actor, actor_id, target, target_id, role_id, inherited=False):
    _check_grant_parts(sess, actor, actor_id, target, target_id, role_id)
    key = (_assignment_type(actor, target), actor_id, target_id, role_id, inherited)
    row = sess.get(models.Assignment, key)
    if row is None:
        raise exceptions.NotFound('Could not find role assignment with role: %s, %s: %s, '
                                  '%s: %s.' % (role_id, actor, actor_id, target, target_id))
    return row


def delete_grant(sess, actor, actor_id, target, target_id, role_id, inherited=False):
    row = check_grant(sess, actor, actor_id, target, target_id, role_id, inherited)
    _revoke_for_assignment(sess, row)
    sess.delete(row)


def _revoke_for_assignment(sess, row):
    """Tokens that may carry a removed role are revoked (tokens carry roles offline)."""
    user_ids = [row.actor_id] if row.type.startswith('User') else \
        users_core.group_member_ids(sess, row.actor_id)
    for user_id in user_ids:
        if row.type.endswith('Project') and not row.inherited:
            revoke.record(sess, user_id=user_id, project_id=row.target_id)
        else:
            revoke.record(sess, user_id=user_id)


def list_grants(sess, actor, actor_id, target, target_id, inherited=False):
    (users_core.get_user if actor == 'user' else users_core.get_group)(sess, actor_id)
    if target == 'project':
        resource.get_project(sess, target_id)
    elif target == 'domain':
        resource.get_domain(sess, target_id)
    role_ids = sess.scalars(sa.select(models.Assignment.role_id).where(
        models.Assignment.type == _assignment_type(actor, target),
        models.Assignment.actor_id == actor_id, models.Assignment.target_id == target_id,
        models.Assignment.inherited == inherited))
    return users_core.by_ids(sess, models.Role, role_ids)


# effective roles ---------------------------------------------------------------------
def _actor_ids(sess, user_id):
    return [user_id], users_core.user_group_ids(sess, user_id)


def _direct_role_ids(sess, user_id, group_ids, pairs):
    """Role ids from assignments matching any of ``pairs`` = [(types, target, inherited)]."""
    conditions = []
    for user_type, group_type, target_id, inherited in pairs:
        conditions.append(sa.and_(models.Assignment.type == user_type,
                                  models.Assignment.actor_id == user_id,
                                  models.Assignment.target_id == target_id,
                                  models.Assignment.inherited == inherited))
        if group_ids:
            conditions.append(sa.and_(models.Assignment.type == group_type,
                                      models.Assignment.actor_id.in_(group_ids),
                                      models.Assignment.target_id == target_id,
                                      models.Assignment.inherited == inherited))
    if not conditions:
        return set()
    return set(sess.scalars(sa.select(models.Assignment.role_id).where(sa.or_(*conditions))))


def project_role_ids(sess, user_id, project):
    """Role ids a user holds on a project: direct, via groups, inherited from its domain
    and ancestors (OS-INHERIT); before implication."""
    _, group_ids = _actor_ids(sess, user_id)
    pairs = [(USER_PROJECT, GROUP_PROJECT, project.id, False),
             (USER_DOMAIN, GROUP_DOMAIN, project.domain_id, True)]
    for ancestor in resource.parents(sess, project):
        pairs.append((USER_PROJECT, GROUP_PROJECT, ancestor.id, True))
    return _direct_role_ids(sess, user_id, group_ids, pairs)


def domain_role_ids(sess, user_id, domain_id):
    _, group_ids = _actor_ids(sess, user_id)
    return _direct_role_ids(sess, user_id, group_ids,
                            [(USER_DOMAIN, GROUP_DOMAIN, domain_id, False)])


def system_role_ids(sess, user_id):
    _, group_ids = _actor_ids(sess, user_id)
    return _direct_role_ids(sess, user_id, group_ids,
                            [(USER_SYSTEM, GROUP_SYSTEM, SYSTEM_TARGET, False)])


def effective_project_roles(sess, user_id, project):
    return expand_roles(sess, project_role_ids(sess, user_id, project))


def user_projects(sess, user_id):
    """Projects on which the user holds any role (directly, by group or inherited)."""
    _, group_ids = _actor_ids(sess, user_id)
    actors = [user_id] + group_ids
    rows = list(sess.execute(sa.select(models.Assignment.type, models.Assignment.target_id,
                                       models.Assignment.inherited).where(
        models.Assignment.actor_id.in_(actors))))
    project_ids, inherited_from, inherited_domains = set(), set(), set()
    for kind, target, inherited in rows:
        if kind in (USER_PROJECT, GROUP_PROJECT):
            if not inherited:
                project_ids.add(target)
            else:
                inherited_from.add(target)
        elif kind in (USER_DOMAIN, GROUP_DOMAIN) and inherited:
            inherited_domains.add(target)
    # a constant number of queries however many assignments the user has
    for below in resource.subtrees(sess, inherited_from).values():
        project_ids.update(p.id for p in below)
    for in_domain in resource.projects_in_domains(sess, inherited_domains).values():
        project_ids.update(in_domain)
    if not project_ids:
        return []
    return list(sess.scalars(sa.select(models.Project).where(
        models.Project.id.in_(project_ids)).order_by(models.Project.name)))


def user_domains(sess, user_id):
    _, group_ids = _actor_ids(sess, user_id)
    domain_ids = set(sess.scalars(sa.select(models.Assignment.target_id).where(
        models.Assignment.type.in_([USER_DOMAIN, GROUP_DOMAIN]),
        models.Assignment.actor_id.in_([user_id] + group_ids),
        models.Assignment.inherited.is_(False))))
    if not domain_ids:
        return []
    return list(sess.scalars(sa.select(models.Domain).where(models.Domain.id.in_(domain_ids))))
