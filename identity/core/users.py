"""Users (with hashed passwords) and groups."""
import sqlalchemy as sa

from common import exceptions
from common.db import types
from identity import passwords
from identity.core import resource
from identity.core import revoke
from identity.db import models


def get_user(sess, user_id):
    user = sess.get(models.User, user_id)
    if user is None:
        raise exceptions.NotFound('Could not find user: %s.' % user_id)
    return user


def find_user(sess, user_id=None, name=None, domain_id=None):
    if user_id:
        return get_user(sess, user_id)
    user = sess.scalars(sa.select(models.User).where(
        models.User.name == name, models.User.domain_id == domain_id)).first()
    if user is None:
        raise exceptions.NotFound('Could not find user: %s.' % name)
    return user


def _check_unique(sess, name, domain_id, exclude_id=None):
    query = sa.select(models.User).where(models.User.name == name,
                                         models.User.domain_id == domain_id)
    existing = sess.scalars(query).first()
    if existing is not None and existing.id != exclude_id:
        raise exceptions.Conflict('Conflict occurred attempting to store user - Duplicate entry '
                                  'found with name %s at domain ID %s.' % (name, domain_id))


def create_user(sess, name, domain_id=None, password=None, enabled=True,
                default_project_id=None, description=None, email=None, options=None,
                extra=None, hash_cost=14, user_id=None):
    domain_id = domain_id or resource.DEFAULT_DOMAIN_ID
    resource.get_domain(sess, domain_id)
    _check_unique(sess, name, domain_id)
    if default_project_id:
        resource.get_project(sess, default_project_id)
    user = models.User(name=name, domain_id=domain_id, enabled=enabled,
                       default_project_id=default_project_id, description=description,
                       email=email, options=options or {}, extra=extra or {})
    if user_id:
        user.id = user_id
    if password is not None:
        user.password_hash = passwords.hash_password(password, hash_cost)
        user.password_created_at = types.utcnow()
    sess.add(user)
    sess.flush()
    return user


def update_user(sess, user_id, changes, hash_cost=14):
    user = get_user(sess, user_id)
    if 'domain_id' in changes and changes['domain_id'] != user.domain_id:
        raise exceptions.BadRequest('Cannot change the domain_id of a user.')
    if 'name' in changes:
        _check_unique(sess, changes['name'], user.domain_id, exclude_id=user.id)
    if changes.get('default_project_id'):
        resource.get_project(sess, changes['default_project_id'])
    revoke_tokens = False
    for key, value in changes.items():
        if key == 'password':
            user.password_hash = passwords.hash_password(value, hash_cost) \
                if value is not None else None
            user.password_created_at = types.utcnow()
            revoke_tokens = True
        elif key != 'domain_id':
            setattr(user, key, value)
    if changes.get('enabled') is False:
        revoke_tokens = True
    if revoke_tokens:
        revoke.record(sess, user_id=user.id)
    return user


def change_password(sess, user_id, original, new, hash_cost=14):
    user = get_user(sess, user_id)
    if not passwords.check_password(original, user.password_hash):
        raise exceptions.Unauthorized('The original password is incorrect.')
    update_user(sess, user_id, {'password': new}, hash_cost)


def delete_user(sess, user_id):
    user = get_user(sess, user_id)
    sess.execute(sa.delete(models.Assignment).where(models.Assignment.actor_id == user_id))
    sess.execute(sa.delete(models.GroupMembership).where(
        models.GroupMembership.user_id == user_id))
    revoke.record(sess, user_id=user_id)
    sess.delete(user)


def get_group(sess, group_id):
    group = sess.get(models.Group, group_id)
    if group is None:
        raise exceptions.NotFound('Could not find group: %s.' % group_id)
    return group


def find_group(sess, group_id=None, name=None, domain_id=None):
    if group_id:
        return get_group(sess, group_id)
    group = sess.scalars(sa.select(models.Group).where(
        models.Group.name == name, models.Group.domain_id == domain_id)).first()
    if group is None:
        raise exceptions.NotFound('Could not find group: %s.' % name)
    return group


def create_group(sess, name, domain_id=None, description=None, extra=None):
    domain_id = domain_id or resource.DEFAULT_DOMAIN_ID
    resource.get_domain(sess, domain_id)
    if sess.scalars(sa.select(models.Group).where(models.Group.name == name,
                                                  models.Group.domain_id == domain_id)).first():
        raise exceptions.Conflict('Conflict occurred attempting to store group - Duplicate '
                                  'entry found with name %s at domain ID %s.' % (name, domain_id))
    group = models.Group(name=name, domain_id=domain_id, description=description,
                         extra=extra or {})
    sess.add(group)
    sess.flush()
    return group


def update_group(sess, group_id, changes):
    group = get_group(sess, group_id)
    if 'domain_id' in changes and changes['domain_id'] != group.domain_id:
        raise exceptions.BadRequest('Cannot change the domain_id of a group.')
    if 'name' in changes and changes['name'] != group.name:
        if sess.scalars(sa.select(models.Group).where(
                models.Group.name == changes['name'],
                models.Group.domain_id == group.domain_id)).first():
            raise exceptions.Conflict('Conflict occurred attempting to update group - Duplicate '
                                      'entry found with name %s.' % changes['name'])
    for key, value in changes.items():
        if key != 'domain_id':
            setattr(group, key, value)
    return group


def delete_group(sess, group_id):
    group = get_group(sess, group_id)
    members = group_member_ids(sess, group_id)
    sess.execute(sa.delete(models.Assignment).where(models.Assignment.actor_id == group_id))
    sess.execute(sa.delete(models.GroupMembership).where(
        models.GroupMembership.group_id == group_id))
    for user_id in members:
        revoke.record(sess, user_id=user_id)
    sess.delete(group)


def group_member_ids(sess, group_id):
    return list(sess.scalars(sa.select(models.GroupMembership.user_id).where(
        models.GroupMembership.group_id == group_id)))


def group_members(sess, group_ids):
    """``{group id: [user ids]}`` of many groups in one query."""
    result = {gid: [] for gid in group_ids}
    if group_ids:
        for user_id, group_id in sess.execute(sa.select(
                models.GroupMembership.user_id, models.GroupMembership.group_id).where(
                models.GroupMembership.group_id.in_(list(group_ids)))):
            result[group_id].append(user_id)
    return result


def by_ids(sess, model, ids):
    """The rows of ``model`` with these ids, in their order (missing ones left out), in
    one query."""
    ids = list(ids)
    if not ids:
        return []
    rows = {row.id: row for row in sess.scalars(sa.select(model).where(model.id.in_(ids)))}
    return [rows[i] for i in ids if i in rows]


def user_group_ids(sess, user_id):
    return list(sess.scalars(sa.select(models.GroupMembership.group_id).where(
        models.GroupMembership.user_id == user_id)))


def add_to_group(sess, user_id, group_id):
    get_user(sess, user_id)
    get_group(sess, group_id)
    if sess.get(models.GroupMembership, (user_id, group_id)) is None:
        sess.add(models.GroupMembership(user_id=user_id, group_id=group_id))


def is_in_group(sess, user_id, group_id):
    get_user(sess, user_id)
    get_group(sess, group_id)
    return sess.get(models.GroupMembership, (user_id, group_id)) is not None


def remove_from_group(sess, user_id, group_id):
    if not is_in_group(sess, user_id, group_id):
        raise exceptions.NotFound('User %s is not a member of group %s.' % (user_id, group_id))
    sess.delete(sess.get(models.GroupMembership, (user_id, group_id)))
    # Roles the user had through the group are gone: tokens carrying them must go too.
    revoke.record(sess, user_id=user_id)
