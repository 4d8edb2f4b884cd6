"""The tables of the block storage database."""
import sqlalchemy as sa
from sqlalchemy import orm

from common import heartbeat
from common.db import types

Base = orm.declarative_base()
SERVICES = heartbeat.define_table(Base.metadata)

DEFAULT_TYPE_ID = '9d2c7bd6-0000-4000-8000-00000000d3fa'


def _stamps():
    return (sa.Column(sa.DateTime, nullable=False, default=types.utcnow),
            sa.Column(sa.DateTime, nullable=True, onupdate=types.utcnow))


class VolumeType(Base):
    __tablename__ = 'volume_types'
    id = sa.Column(sa.String(36), primary_key=True, default=types.new_uuid)
    name = sa.Column(sa.String(255), nullable=False, unique=True)
    description = sa.Column(sa.String(255), nullable=True)
    is_public = sa.Column(sa.Boolean, nullable=False, default=True)
    extra_specs = sa.Column(types.JSONText, nullable=False, default=dict)
    qos_specs_id = sa.Column(sa.String(36), nullable=True)
    created_at, updated_at = _stamps()


class QosSpecs(Base):
    """Quality of service limits, for the front end (the hypervisor), the back end or
    both; volume types are associated with at most one."""
    __tablename__ = 'quality_of_service_specs'
    id = sa.Column(sa.String(36), primary_key=True, default=types.new_uuid)
    name = sa.Column(sa.String(255), nullable=False, unique=True)
    consumer = sa.Column(sa.String(16), nullable=False, default='back-end')
    specs = sa.Column(types.JSONText, nullable=False, default=dict)
    created_at, updated_at = _stamps()


class VolumeTypeAccess(Base):
    __tablename__ = 'volume_type_projects'
    volume_type_id = sa.Column(sa.String(36), sa.ForeignKey('volume_types.id',
                                                           ondelete='CASCADE'),
                               primary_key=True)
    project_id = sa.Column(sa.String(64), primary_key=True)


class Volume(Base):
    __tablename__ = 'volumes'
    id = sa.Column(sa.String(36), primary_key=True, default=types.new_uuid)
    project_id = sa.Column(sa.String(64), nullable=False, index=True)
    user_id = sa.Column(sa.String(64), nullable=True)
    name = sa.Column(sa.String(255), nullable=True)
    description = sa.Column(sa.String(255), nullable=True)
    size = sa.Column(sa.Integer, nullable=False)
    status = sa.Column(sa.String(32), nullable=False, index=True)
    previous_status = sa.Column(sa.String(32), nullable=True)
    attach_status = sa.Column(sa.String(32), nullable=False, default='detached')
    availability_zone = sa.Column(sa.String(255), nullable=True)
    volume_type_id = sa.Column(sa.String(36), nullable=True)
    snapshot_id = sa.Column(sa.String(36), nullable=True)
    source_volid = sa.Column(sa.String(36), nullable=True)
    image_id = sa.Column(sa.String(36), nullable=True)
    backup_id = sa.Column(sa.String(36), nullable=True)
    bootable = sa.Column(sa.Boolean, nullable=False, default=False)
    multiattach = sa.Column(sa.Boolean, nullable=False, default=False)
    readonly = sa.Column(sa.Boolean, nullable=False, default=False)
    metadata_ = sa.Column('metadata', types.JSONText, nullable=False, default=dict)
    image_metadata = sa.Column(types.JSONText, nullable=False, default=dict)
    host = sa.Column(sa.String(255), nullable=True, index=True)
    provider_location = sa.Column(sa.String(255), nullable=True)
    provider_auth = sa.Column(sa.String(255), nullable=True)
    fault = sa.Column(sa.String(255), nullable=True)
    group_id = sa.Column(sa.String(36), nullable=True, index=True)
    migration_status = sa.Column(sa.String(255), nullable=True)
    created_at, updated_at = _stamps()


class Snapshot(Base):
    __tablename__ = 'snapshots'
    id = sa.Column(sa.String(36), primary_key=True, default=types.new_uuid)
    project_id = sa.Column(sa.String(64), nullable=False, index=True)
    user_id = sa.Column(sa.String(64), nullable=True)
    volume_id = sa.Column(sa.String(36), nullable=False, index=True)
    name = sa.Column(sa.String(255), nullable=True)
    description = sa.Column(sa.String(255), nullable=True)
    size = sa.Column(sa.Integer, nullable=False)
    status = sa.Column(sa.String(32), nullable=False)
    progress = sa.Column(sa.String(16), nullable=True)
    metadata_ = sa.Column('metadata', types.JSONText, nullable=False, default=dict)
    host = sa.Column(sa.String(255), nullable=True)
    group_snapshot_id = sa.Column(sa.String(36), nullable=True, index=True)
    created_at, updated_at = _stamps()


class Attachment(Base):
    __tablename__ = 'volume_attachments'
    id = sa.Column(sa.String(36), primary_key=True, default=types.new_uuid)
    volume_id = sa.Column(sa.String(36), nullable=False, index=True)
    project_id = sa.Column(sa.String(64), nullable=False)
    instance_uuid = sa.Column(sa.String(36), nullable=True)
    attached_host = sa.Column(sa.String(255), nullable=True)
    mountpoint = sa.Column(sa.String(255), nullable=True)
    attach_mode = sa.Column(sa.String(8), nullable=False, default='rw')
    attach_status = sa.Column(sa.String(32), nullable=False)
    connector = sa.Column(types.JSONText, nullable=True)
    attach_time = sa.Column(sa.DateTime, nullable=True)
    created_at, updated_at = _stamps()


class Backup(Base):
    __tablename__ = 'backups'
    id = sa.Column(sa.String(36), primary_key=True, default=types.new_uuid)
    project_id = sa.Column(sa.String(64), nullable=False, index=True)
    user_id = sa.Column(sa.String(64), nullable=True)
    volume_id = sa.Column(sa.String(36), nullable=False)
    name = sa.Column(sa.String(255), nullable=True)
    description = sa.Column(sa.String(255), nullable=True)
    size = sa.Column(sa.Integer, nullable=False)
    status = sa.Column(sa.String(32), nullable=False)
    parent_id = sa.Column(sa.String(36), nullable=True)
    container = sa.Column(sa.String(255), nullable=True)
    availability_zone = sa.Column(sa.String(255), nullable=True)
    host = sa.Column(sa.String(255), nullable=True)
    object_count = sa.Column(sa.Integer, nullable=False, default=0)
    fail_reason = sa.Column(sa.String(255), nullable=True)
    restore_volume_id = sa.Column(sa.String(36), nullable=True)
    created_at, updated_at = _stamps()


class Transfer(Base):
    """An offer of a volume to whoever holds its id and auth key; the key itself is never
    stored, only a salted hash of it."""
    __tablename__ = 'transfers'
    id = sa.Column(sa.String(36), primary_key=True, default=types.new_uuid)
    volume_id = sa.Column(sa.String(36), nullable=False, unique=True)
    project_id = sa.Column(sa.String(64), nullable=False, index=True)
    user_id = sa.Column(sa.String(64), nullable=True)
    name = sa.Column(sa.String(255), nullable=True)
    salt = sa.Column(sa.String(64), nullable=False)
    crypt_hash = sa.Column(sa.String(128), nullable=False)
    no_snapshots = sa.Column(sa.Boolean, nullable=False, default=False)
    created_at, updated_at = _stamps()


class GroupType(Base):
    """A kind of generic volume group; ``group_specs`` are the operator's key/values."""
    __tablename__ = 'group_types'
    id = sa.Column(sa.String(36), primary_key=True, default=types.new_uuid)
    name = sa.Column(sa.String(255), nullable=False, unique=True)
    description = sa.Column(sa.String(255), nullable=True)
    is_public = sa.Column(sa.Boolean, nullable=False, default=True)
    group_specs = sa.Column(types.JSONText, nullable=False, default=dict)
    created_at, updated_at = _stamps()


class Group(Base):
    """A generic volume group: volumes of the listed types on one backend (``host``),
    snapshotted together."""
    __tablename__ = 'groups'
    id = sa.Column(sa.String(36), primary_key=True, default=types.new_uuid)
    project_id = sa.Column(sa.String(64), nullable=False, index=True)
    user_id = sa.Column(sa.String(64), nullable=True)
    name = sa.Column(sa.String(255), nullable=True)
    description = sa.Column(sa.String(255), nullable=True)
    status = sa.Column(sa.String(32), nullable=False)
    availability_zone = sa.Column(sa.String(255), nullable=True)
    group_type_id = sa.Column(sa.String(36), nullable=False)
    volume_type_ids = sa.Column(types.JSONText, nullable=False, default=list)
    host = sa.Column(sa.String(255), nullable=True)
    group_snapshot_id = sa.Column(sa.String(36), nullable=True)
    source_group_id = sa.Column(sa.String(36), nullable=True)
    created_at, updated_at = _stamps()


class GroupSnapshot(Base):
    __tablename__ = 'group_snapshots'
    id = sa.Column(sa.String(36), primary_key=True, default=types.new_uuid)
    project_id = sa.Column(sa.String(64), nullable=False, index=True)
    user_id = sa.Column(sa.String(64), nullable=True)
    group_id = sa.Column(sa.String(36), nullable=False, index=True)
    group_type_id = sa.Column(sa.String(36), nullable=False)
    name = sa.Column(sa.String(255), nullable=True)
    description = sa.Column(sa.String(255), nullable=True)
    status = sa.Column(sa.String(32), nullable=False)
    host = sa.Column(sa.String(255), nullable=True)
    created_at, updated_at = _stamps()


class Quota(Base):
    __tablename__ = 'quotas'
    project_id = sa.Column(sa.String(64), primary_key=True)
    resource = sa.Column(sa.String(64), primary_key=True)
    hard_limit = sa.Column(sa.Integer, nullable=False)


class Pool(Base):
    """A backend pool as its volume daemon last reported it, plus the scheduler's claims."""
    __tablename__ = 'pools'
    name = sa.Column(sa.String(255), primary_key=True)       # host@backend#pool
    host = sa.Column(sa.String(255), nullable=False)         # host@backend (RPC server)
    backend_name = sa.Column(sa.String(255), nullable=False)
    availability_zone = sa.Column(sa.String(255), nullable=False)
    total_capacity_gb = sa.Column(sa.Float, nullable=False, default=0)
    free_capacity_gb = sa.Column(sa.Float, nullable=False, default=0)
    allocated_capacity_gb = sa.Column(sa.Integer, nullable=False, default=0)
    reserved_percentage = sa.Column(sa.Integer, nullable=False, default=0)
    max_over_subscription_ratio = sa.Column(sa.Float, nullable=False, default=1.0)
    thin = sa.Column(sa.Boolean, nullable=False, default=False)
    capabilities = sa.Column(types.JSONText, nullable=False, default=dict)
    reported_at = sa.Column(sa.DateTime, nullable=False, default=types.utcnow)
