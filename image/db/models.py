"""SQLAlchemy models of the image database."""
import sqlalchemy as sa
from sqlalchemy import orm

from common.db import types

Base = orm.declarative_base()


class Image(Base):
    __tablename__ = 'images'

    id = sa.Column(sa.String(36), primary_key=True)
    name = sa.Column(sa.String(255), nullable=True, index=True)
    status = sa.Column(sa.String(30), nullable=False, index=True)
    visibility = sa.Column(sa.String(16), nullable=False, index=True)
    owner = sa.Column(sa.String(255), nullable=True, index=True)
    # every filter and sort key of GET /v2/images is indexed
    size = sa.Column(sa.BigInteger, nullable=True, index=True)
    virtual_size = sa.Column(sa.BigInteger, nullable=True, index=True)
    disk_format = sa.Column(sa.String(20), nullable=True, index=True)
    container_format = sa.Column(sa.String(20), nullable=True, index=True)
    checksum = sa.Column(sa.String(32), nullable=True)
    os_hash_algo = sa.Column(sa.String(64), nullable=True)
    os_hash_value = sa.Column(sa.String(128), nullable=True)
    min_disk = sa.Column(sa.Integer, nullable=False, default=0, index=True)
    min_ram = sa.Column(sa.Integer, nullable=False, default=0, index=True)
    protected = sa.Column(sa.Boolean, nullable=False, default=False)
    os_hidden = sa.Column(sa.Boolean, nullable=False, default=False)
    created_at = sa.Column(sa.DateTime, nullable=False, default=types.utcnow, index=True)
    updated_at = sa.Column(sa.DateTime, nullable=False, default=types.utcnow, index=True)
    deleted_at = sa.Column(sa.DateTime, nullable=True)
    deleted = sa.Column(sa.Boolean, nullable=False, default=False, index=True)


class ImageProperty(Base):
    __tablename__ = 'image_properties'

    image_id = sa.Column(sa.String(36), sa.ForeignKey('images.id', ondelete='CASCADE'),
                         primary_key=True)
    name = sa.Column(sa.String(255), primary_key=True)
    value = sa.Column(sa.Text, nullable=False)


class ImageTag(Base):
    __tablename__ = 'image_tags'

    image_id = sa.Column(sa.String(36), sa.ForeignKey('images.id', ondelete='CASCADE'),
                         primary_key=True)
    # ?tag= looks images up by tag: the primary key starts with image_id
    value = sa.Column(sa.String(255), primary_key=True, index=True)


class ImageMember(Base):
    __tablename__ = 'image_members'
    __table_args__ = (sa.UniqueConstraint('image_id', 'member', name='uniq_image_member'),)

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    image_id = sa.Column(sa.String(36), sa.ForeignKey('images.id', ondelete='CASCADE'),
                         nullable=False, index=True)
    member = sa.Column(sa.String(255), nullable=False, index=True)
    status = sa.Column(sa.String(20), nullable=False, default='pending')
    created_at = sa.Column(sa.DateTime, nullable=False, default=types.utcnow)
    updated_at = sa.Column(sa.DateTime, nullable=False, default=types.utcnow)


class ImageLocation(Base):
    """Where a copy of an image's data lives: one row per store holding it."""

    __tablename__ = 'image_locations'
    __table_args__ = (sa.UniqueConstraint('image_id', 'store', name='uniq_image_store'),)

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    image_id = sa.Column(sa.String(36), sa.ForeignKey('images.id', ondelete='CASCADE'),
                         nullable=False, index=True)
    store = sa.Column(sa.String(255), nullable=False)
    url = sa.Column(sa.Text, nullable=False)
    meta = sa.Column(types.JSONText, nullable=True)
    created_at = sa.Column(sa.DateTime, nullable=False, default=types.utcnow)


class ImportJob(Base):
    """An interoperable import (or a task that creates an image from a URL); survives
    restarts so it can be resumed.  The API shows each job as a task (/v2/tasks)."""

    __tablename__ = 'image_imports'

    id = sa.Column(sa.String(36), primary_key=True)
    image_id = sa.Column(sa.String(36), sa.ForeignKey('images.id', ondelete='CASCADE'),
                         nullable=False, index=True)
    method = sa.Column(sa.String(32), nullable=False)
    stores = sa.Column(types.JSONText, nullable=False)
    all_stores_must_succeed = sa.Column(sa.Boolean, nullable=False, default=True)
    state = sa.Column(sa.String(16), nullable=False, index=True)
    message = sa.Column(sa.Text, nullable=True)
    created_at = sa.Column(sa.DateTime, nullable=False, default=types.utcnow, index=True)
    updated_at = sa.Column(sa.DateTime, nullable=False, default=types.utcnow, index=True)
    # The task view of the job (migration 003).
    task_type = sa.Column(sa.String(30), nullable=True)
    owner = sa.Column(sa.String(255), nullable=True, index=True)
    user_id = sa.Column(sa.String(255), nullable=True)
    request_id = sa.Column(sa.String(255), nullable=True)
    task_input = sa.Column(types.JSONText, nullable=True)
    result = sa.Column(types.JSONText, nullable=True)
    expires_at = sa.Column(sa.DateTime, nullable=True)


# Metadata definitions (metadefs): a catalog describing the properties resources may carry.
class MetadefNamespace(Base):
    __tablename__ = 'metadef_namespaces'

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    namespace = sa.Column(sa.String(80), nullable=False, unique=True)
    # every filter and sort key of GET /v2/metadefs/namespaces is indexed
    display_name = sa.Column(sa.String(80), nullable=True, index=True)
    description = sa.Column(sa.Text, nullable=True)
    visibility = sa.Column(sa.String(32), nullable=False, default='private', index=True)
    protected = sa.Column(sa.Boolean, nullable=False, default=False)
    owner = sa.Column(sa.String(255), nullable=True, index=True)
    created_at = sa.Column(sa.DateTime, nullable=False, default=types.utcnow, index=True)
    updated_at = sa.Column(sa.DateTime, nullable=False, default=types.utcnow, index=True)


class MetadefResourceType(Base):
    __tablename__ = 'metadef_resource_types'

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    name = sa.Column(sa.String(80), nullable=False, unique=True)
    protected = sa.Column(sa.Boolean, nullable=False, default=False)
    created_at = sa.Column(sa.DateTime, nullable=False, default=types.utcnow)
    updated_at = sa.Column(sa.DateTime, nullable=False, default=types.utcnow)


class MetadefNamespaceResourceType(Base):
    __tablename__ = 'metadef_namespace_resource_types'

    namespace_id = sa.Column(sa.Integer, sa.ForeignKey('metadef_namespaces.id',
                                                       ondelete='CASCADE'), primary_key=True)
    resource_type_id = sa.Column(sa.Integer, sa.ForeignKey('metadef_resource_types.id',
                                                           ondelete='CASCADE'),
                                 primary_key=True, index=True)
    prefix = sa.Column(sa.String(80), nullable=True)
    properties_target = sa.Column(sa.String(80), nullable=True)
    created_at = sa.Column(sa.DateTime, nullable=False, default=types.utcnow)
    updated_at = sa.Column(sa.DateTime, nullable=False, default=types.utcnow)


class MetadefObject(Base):
    __tablename__ = 'metadef_objects'
    __table_args__ = (sa.UniqueConstraint('namespace_id', 'name', name='uniq_metadef_object'),)

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    namespace_id = sa.Column(sa.Integer, sa.ForeignKey('metadef_namespaces.id',
                                                       ondelete='CASCADE'), nullable=False)
    name = sa.Column(sa.String(80), nullable=False)
    description = sa.Column(sa.Text, nullable=True)
    required = sa.Column(types.JSONText, nullable=True)
    json_schema = sa.Column(types.JSONText, nullable=False)
    created_at = sa.Column(sa.DateTime, nullable=False, default=types.utcnow)
    updated_at = sa.Column(sa.DateTime, nullable=False, default=types.utcnow)


class MetadefProperty(Base):
    __tablename__ = 'metadef_properties'
    __table_args__ = (sa.UniqueConstraint('namespace_id', 'name',
                                           name='uniq_metadef_property'),)

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    namespace_id = sa.Column(sa.Integer, sa.ForeignKey('metadef_namespaces.id',
                                                       ondelete='CASCADE'), nullable=False)
    name = sa.Column(sa.String(80), nullable=False)
    json_schema = sa.Column(types.JSONText, nullable=False)
    created_at = sa.Column(sa.DateTime, nullable=False, default=types.utcnow)
    updated_at = sa.Column(sa.DateTime, nullable=False, default=types.utcnow)


class MetadefTag(Base):
    __tablename__ = 'metadef_tags'
    __table_args__ = (sa.UniqueConstraint('namespace_id', 'name', name='uniq_metadef_tag'),)

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    namespace_id = sa.Column(sa.Integer, sa.ForeignKey('metadef_namespaces.id',
                                                       ondelete='CASCADE'), nullable=False)
    name = sa.Column(sa.String(255), nullable=False)
    created_at = sa.Column(sa.DateTime, nullable=False, default=types.utcnow)
    updated_at = sa.Column(sa.DateTime, nullable=False, default=types.utcnow)
