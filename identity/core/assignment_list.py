"""``GET /v3/role_assignments``: raw assignments, or effective ones (groups expanded to
their members, inherited assignments onto the projects they reach, implied roles added)."""
import sqlalchemy as sa

from identity.core import assignment as asg
from identity.core import resource
from identity.core import users as users_core
from identity.db import models


def _entry(kind, actor_id, target_kind, target_id, role_id, inherited=False, via=None):
    entry = {'role_id': role_id, 'actor_kind': kind, 'actor_id': actor_id,
             'target_kind': target_kind, 'target_id': target_id, 'inherited': inherited}
    if via:
        entry.update(via)
    return entry


_USER_TYPES = (asg.USER_PROJECT, asg.USER_DOMAIN, asg.USER_SYSTEM)
_GROUP_TYPES = (asg.GROUP_PROJECT, asg.GROUP_DOMAIN, asg.GROUP_SYSTEM)


def raw_assignments(sess, user_ids=(), group_ids=(), role_id=None):
    """The stored assignments; narrowed in SQL (served by the actor index) to those of the
    users ``user_ids`` and groups ``group_ids`` when either is given, and to ``role_id``."""
    kinds = {asg.USER_PROJECT: ('user', 'project'), asg.GROUP_PROJECT: ('group', 'project'),
             asg.USER_DOMAIN: ('user', 'domain'), asg.GROUP_DOMAIN: ('group', 'domain'),
             asg.USER_SYSTEM: ('user', 'system'), asg.GROUP_SYSTEM: ('group', 'system')}
    # plain rows, not ORM entities: a user can hold thousands of assignments
    query = sa.select(models.Assignment.type, models.Assignment.actor_id,
                      models.Assignment.target_id, models.Assignment.role_id,
                      models.Assignment.inherited)
    actors = []
    if user_ids:
        actors.append(sa.and_(models.Assignment.actor_id.in_(list(user_ids)),
                              models.Assignment.type.in_(_USER_TYPES)))
    if group_ids:
        actors.append(sa.and_(models.Assignment.actor_id.in_(list(group_ids)),
                              models.Assignment.type.in_(_GROUP_TYPES)))
    if actors:
        query = query.where(sa.or_(*actors))
    if role_id:
        query = query.where(models.Assignment.role_id == role_id)
    result = []
    for row in sess.execute(query):
        actor_kind, target_kind = kinds[row.type]
        result.append(_entry(actor_kind, row.actor_id, target_kind, row.target_id, row.role_id,
                             row.inherited))
    return result


def effective_assignments(sess, raw, only_user=None):
    """Expand ``raw`` entries as the ``effective`` query asks (groups only to ``only_user``
    when it is given: the other members would be filtered out anyway)."""
    # Members, subtrees and domain projects of every entry at once: a constant number of
    # queries however many assignments there are.
    members = users_core.group_members(
        sess, {e['actor_id'] for e in raw if e['actor_kind'] == 'group'})
    below = resource.subtrees(sess, {e['target_id'] for e in raw if e['inherited'] and
                                     e['target_kind'] == 'project'})
    in_domain = resource.projects_in_domains(
        sess, {e['target_id'] for e in raw if e['inherited'] and e['target_kind'] == 'domain'})
    expanded = []
    for entry in raw:
        users = [(entry['actor_id'], None)] if entry['actor_kind'] == 'user' else \
            [(uid, entry['actor_id']) for uid in members[entry['actor_id']]
             if only_user is None or uid == only_user]
        targets = [(entry['target_kind'], entry['target_id'])]
        if entry['inherited']:
            if entry['target_kind'] == 'domain':
                projects = in_domain[entry['target_id']]
            else:
                projects = (p.id for p in below[entry['target_id']])
            targets = [('project', pid) for pid in projects]
        for user_id, group_id in users:
            for target_kind, target_id in targets:
                via = {}
                if group_id:
                    via['via_group'] = group_id
                if entry['inherited']:
                    via['inherited_from'] = (entry['target_kind'], entry['target_id'])
                expanded.append(_entry('user', user_id, target_kind, target_id,
                                       entry['role_id'], False, via))
    rules = asg.implied_map(sess)
    with_implied = []
    for entry in expanded:
        with_implied.append(entry)
        for implied in sorted(asg.implied_closure(sess, [entry['role_id']], rules)):
            extra = dict(entry, role_id=implied, prior_role=entry['role_id'])
            with_implied.append(extra)
    # Domain-specific roles never reach a token (only the global roles they imply do), so
    # they are no effective assignment either.
    domain_roles = set(sess.scalars(sa.select(models.Role.id).where(
        models.Role.domain_id != asg.NULL_DOMAIN)))
    # The same role can arrive by several paths; list it once per (user, target, role).
    seen, unique = set(), []
    for entry in with_implied:
        if entry['role_id'] in domain_roles:
            continue
        key = (entry['actor_id'], entry['target_kind'], entry['target_id'], entry['role_id'])
        if key not in seen:
            seen.add(key)
            unique.append(entry)
    return unique


def filter_assignments(entries, user_id=None, group_id=None, role_id=None, project_id=None,
                       domain_id=None, system=None, inherited=None):
    result = []
    for e in entries:
        if user_id and not (e['actor_kind'] == 'user' and e['actor_id'] == user_id):
            continue
        if group_id and not (e['actor_kind'] == 'group' and e['actor_id'] == group_id):
            continue
        if role_id and e['role_id'] != role_id:
            continue
        if project_id and not (e['target_kind'] == 'project' and
                               e['target_id'] in project_id):
            continue
        if domain_id and not (e['target_kind'] == 'domain' and e['target_id'] == domain_id):
            continue
        if system and e['target_kind'] != 'system':
            continue
        if inherited is not None and e['inherited'] != inherited:
            continue
        result.append(e)
    return result
