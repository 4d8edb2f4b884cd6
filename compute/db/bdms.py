"""Block device mappings of servers: the volumes a server has (or is getting) attached.

Rows are plain dicts out (every column).  A row with ``destination_type`` volume and a
``volume_id`` is shown in ``volumes_attached`` and os-volume_attachments; its
``attachment_id`` is block storage's attachment while the server holds a connection.
"""
import sqlalchemy as sa

from compute.db import api as db_api
from compute.db import models

COLUMNS = ('source_type', 'destination_type', 'boot_index', 'device_name', 'device_type',
           'disk_bus', 'guest_format', 'image_id', 'volume_id', 'snapshot_id',
           'volume_size', 'delete_on_termination', 'attachment_id', 'connection_info', 'tag')


def _rows(sess, instance_uuid):
    return sess.execute(sa.select(models.BlockDeviceMapping).where(
        models.BlockDeviceMapping.instance_uuid == instance_uuid).order_by(
        models.BlockDeviceMapping.id)).scalars().all()


def create(sess, instance_uuid, values):
    """Add a mapping in an open session; returns its dict."""
    row = models.BlockDeviceMapping(instance_uuid=instance_uuid,
                                    **{k: v for k, v in values.items() if k in COLUMNS})
    sess.add(row)
    sess.flush()
    return db_api.row_to_dict(row)


def add(db, instance_uuid, values):
    with db.session() as sess:
        return create(sess, instance_uuid, values)


def list_(db, instance_uuid, sess=None):
    """Every mapping of a server, in creation order."""
    if sess is not None:
        return [db_api.row_to_dict(r) for r in _rows(sess, instance_uuid)]
    with db.session() as s:
        return [db_api.row_to_dict(r) for r in _rows(s, instance_uuid)]


def volumes(db, instance_uuid, sess=None):
    """The mappings that are block storage volumes with an id (attached or attaching)."""
    return [b for b in list_(db, instance_uuid, sess)
            if b['destination_type'] == 'volume' and b['volume_id']]


def find_volume(db, instance_uuid, volume_id):
    for bdm in volumes(db, instance_uuid):
        if bdm['volume_id'] == volume_id:
            return bdm
    return None


def update(db, bdm_uuid, values):
    """Change a mapping by its uuid; returns the new dict or None when it is gone."""
    with db.session() as sess:
        row = sess.execute(sa.select(models.BlockDeviceMapping).where(
            models.BlockDeviceMapping.uuid == bdm_uuid)).scalar()
        if row is None:
            return None
        for key, value in values.items():
            if key in COLUMNS:
                setattr(row, key, value)
        sess.flush()
        return db_api.row_to_dict(row)


def delete(db, bdm_uuid):
    with db.session() as sess:
        sess.execute(sa.delete(models.BlockDeviceMapping).where(
            models.BlockDeviceMapping.uuid == bdm_uuid))


def delete_all(db, instance_uuid):
    with db.session() as sess:
        sess.execute(sa.delete(models.BlockDeviceMapping).where(
            models.BlockDeviceMapping.instance_uuid == instance_uuid))
