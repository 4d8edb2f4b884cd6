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
    size = sa.Column(sa.BigInteger, nullable=True)
    virtual_size = sa.Column(sa.BigInteger, nullable=True)
    disk_format = sa.Column(sa.String(20), nullable=True)
    container_format = sa.Column(sa.String(20), nullable=True)
    checksum = sa.Column(sa.String(32), nullable=True)
    os_hash_algo = sa.Column(sa.String(64), nullable=True)
    os_hash_value = sa.Column(sa.String(128), nullable=True)
    min_disk = sa.Column(sa.Integer, nullable=False, default=0)
    min_ram = sa.Column(sa.Integer, nullable=False, default=0)
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
    value = sa.Column(sa.String(255), primary_key=True)


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
    """An interoperable import in progress; survives restarts so it can be resumed."""

    __tablename__ = 'image_imports'

    id = sa.Column(sa.String(36), primary_key=True)
    image_id = sa.Column(sa.String(36), sa.ForeignKey('images.id', ondelete='CASCADE'),
                         nullable=False, index=True)
    method = sa.Column(sa.String(32), nullable=False)
    stores = sa.Column(types.JSONText, nullable=False)
    all_stores_must_succeed = sa.Column(sa.Boolean, nullable=False, default=True)
    state = sa.Column(sa.String(16), nullable=False, index=True)
    message = sa.Column(sa.Text, nullable=True)
    created_at = sa.Column(sa.DateTime, nullable=False, default=types.utcnow)
    updated_at = sa.Column(sa.DateTime, nullable=False, default=types.utcnow)
