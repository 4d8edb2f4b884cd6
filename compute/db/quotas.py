"""Quota limits: per-project (and per-user) rows over the ``default`` quota class over the
built-in defaults. -1 means unlimited. Usage of servers is counted by
``compute.db.instances.count_usage``; key pairs and server groups are counted here.
"""
import sqlalchemy as sa

from compute.db import models

DEFAULTS = {
    'instances': 10, 'cores': 20, 'ram': 51200, 'metadata_items': 128,
    'injected_files': 5, 'injected_file_content_bytes': 10240,
    'injected_file_path_bytes': 255, 'key_pairs': 100, 'server_groups': 10,
    'server_group_members': 10,
}
RESOURCES = tuple(DEFAULTS)
# Quotas of nova-network's resources: Nova keeps and answers them before microversions
# 2.36 (quota sets) and 2.50 (quota classes) but enforces nothing (the network service
# has quotas of its own).
LEGACY_NETWORK = {'fixed_ips': -1, 'floating_ips': 10, 'security_groups': 10,
                  'security_group_rules': 20}
DEFAULT_CLASS = 'default'


def class_limits(db, class_name=DEFAULT_CLASS):
    """The limits of a quota class (the built-in defaults under any row of its own)."""
    limits = dict(DEFAULTS, **LEGACY_NETWORK)
    with db.session() as sess:
        for r in sess.execute(sa.select(models.QuotaClass).where(
                models.QuotaClass.class_name == class_name)).scalars():
            if r.resource in limits:
                limits[r.resource] = r.hard_limit
    return limits


def get_limits(db, project_id, user_id=None):
    """{resource: limit} of a project, or of one user in it."""
    limits = class_limits(db)
    with db.session() as sess:
        rows = list(sess.execute(sa.select(models.Quota).where(
            models.Quota.project_id == project_id,
            sa.or_(models.Quota.user_id.is_(None), models.Quota.user_id == user_id)
            if user_id else models.Quota.user_id.is_(None))).scalars())
    for r in sorted(rows, key=lambda r: r.user_id is not None):  # user rows win
        if r.resource in limits:
            limits[r.resource] = r.hard_limit
    return limits


def set_limits(db, project_id, values, user_id=None):
    with db.session() as sess:
        for resource, limit in values.items():
            row = sess.execute(sa.select(models.Quota).where(
                models.Quota.project_id == project_id, models.Quota.resource == resource,
                models.Quota.user_id == user_id if user_id else
                models.Quota.user_id.is_(None))).scalar_one_or_none()
            if row is None:
                sess.add(models.Quota(project_id=project_id, user_id=user_id,
                                      resource=resource, hard_limit=limit))
            else:
                row.hard_limit = limit


def delete_limits(db, project_id, user_id=None):
    """Back to the defaults."""
    with db.session() as sess:
        query = sa.delete(models.Quota).where(models.Quota.project_id == project_id)
        if user_id:
            query = query.where(models.Quota.user_id == user_id)
        sess.execute(query)


def set_class_limits(db, class_name, values):
    with db.session() as sess:
        for resource, limit in values.items():
            row = sess.execute(sa.select(models.QuotaClass).where(
                models.QuotaClass.class_name == class_name,
                models.QuotaClass.resource == resource)).scalar_one_or_none()
            if row is None:
                sess.add(models.QuotaClass(class_name=class_name, resource=resource,
                                           hard_limit=limit))
            else:
                row.hard_limit = limit
