"""The identity service's tables (its own database; no other service reads them)."""
import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import mysql

from common.db import types

metadata = sa.MetaData()


class Base(orm.DeclarativeBase):
    metadata = metadata


def _id():
    return sa.Column(sa.String(64), primary_key=True, default=types.new_id)


def _created():
    return sa.Column(sa.DateTime, nullable=False, default=types.utcnow)


# MySQL/MariaDB DATETIME drops fractions of a second; revocation times need them (a token
# issued earlier in the same second as a revocation must still match it).
_PRECISE_TIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql', 'mariadb')


class Domain(Base):
    __tablename__ = 'domains'
    id = _id()
    name = sa.Column(sa.String(64), nullable=False, unique=True)
    description = sa.Column(sa.Text)
    enabled = sa.Column(sa.Boolean, nullable=False, default=True)
    tags = sa.Column(types.JSONText, nullable=False, default=list)
    extra = sa.Column(types.JSONText, nullable=False, default=dict)
    created_at = _created()


class Project(Base):
    __tablename__ = 'projects'
    __table_args__ = (sa.UniqueConstraint('domain_id', 'name', name='uniq_project_name'),)
    id = _id()
    name = sa.Column(sa.String(64), nullable=False)
    domain_id = sa.Column(sa.String(64), sa.ForeignKey('domains.id'), nullable=False, index=True)
    parent_id = sa.Column(sa.String(64), sa.ForeignKey('projects.id'), nullable=True, index=True)
    description = sa.Column(sa.Text)
    enabled = sa.Column(sa.Boolean, nullable=False, default=True)
    tags = sa.Column(types.JSONText, nullable=False, default=list)
    extra = sa.Column(types.JSONText, nullable=False, default=dict)
    created_at = _created()


class User(Base):
    __tablename__ = 'users'
    __table_args__ = (sa.UniqueConstraint('domain_id', 'name', name='uniq_user_name'),)
    id = _id()
    name = sa.Column(sa.String(255), nullable=False)
    domain_id = sa.Column(sa.String(64), sa.ForeignKey('domains.id'), nullable=False, index=True)
    enabled = sa.Column(sa.Boolean, nullable=False, default=True)
    password_hash = sa.Column(sa.String(255), nullable=True)
    password_created_at = sa.Column(sa.DateTime, nullable=True)
    password_expires_at = sa.Column(sa.DateTime, nullable=True)
    default_project_id = sa.Column(sa.String(64), nullable=True)
    description = sa.Column(sa.Text)
    email = sa.Column(sa.String(255))
    options = sa.Column(types.JSONText, nullable=False, default=dict)
    extra = sa.Column(types.JSONText, nullable=False, default=dict)
    created_at = _created()


class Group(Base):
    __tablename__ = 'groups'
    __table_args__ = (sa.UniqueConstraint('domain_id', 'name', name='uniq_group_name'),)
    id = _id()
    name = sa.Column(sa.String(64), nullable=False)
    domain_id = sa.Column(sa.String(64), sa.ForeignKey('domains.id'), nullable=False, index=True)
    description = sa.Column(sa.Text)
    extra = sa.Column(types.JSONText, nullable=False, default=dict)
    created_at = _created()


class GroupMembership(Base):
    __tablename__ = 'group_memberships'
    user_id = sa.Column(sa.String(64), sa.ForeignKey('users.id', ondelete='CASCADE'),
                        primary_key=True)
    group_id = sa.Column(sa.String(64), sa.ForeignKey('groups.id', ondelete='CASCADE'),
                         primary_key=True, index=True)


class Role(Base):
    __tablename__ = 'roles'
    __table_args__ = (sa.UniqueConstraint('name', 'domain_id', name='uniq_role_name'),)
    id = _id()
    name = sa.Column(sa.String(255), nullable=False)
    # NULL domain_id means a global role; a sentinel keeps the unique constraint effective.
    domain_id = sa.Column(sa.String(64), nullable=False, default='<<null>>')
    description = sa.Column(sa.Text)
    options = sa.Column(types.JSONText, nullable=False, default=dict)
    created_at = _created()


class ImpliedRole(Base):
    __tablename__ = 'implied_roles'
    prior_role_id = sa.Column(sa.String(64), sa.ForeignKey('roles.id', ondelete='CASCADE'),
                              primary_key=True)
    implied_role_id = sa.Column(sa.String(64), sa.ForeignKey('roles.id', ondelete='CASCADE'),
                                primary_key=True)


class Assignment(Base):
    """A role granted to an actor (user or group) on a target (project, domain or system)."""

    __tablename__ = 'assignments'
    type = sa.Column(sa.String(16), primary_key=True)  # UserProject, GroupDomain, UserSystem...
    actor_id = sa.Column(sa.String(64), primary_key=True)
    target_id = sa.Column(sa.String(64), primary_key=True)
    role_id = sa.Column(sa.String(64), sa.ForeignKey('roles.id', ondelete='CASCADE'),
                        primary_key=True)
    inherited = sa.Column(sa.Boolean, primary_key=True, default=False)
    __table_args__ = (sa.Index('ix_assignments_actor', 'actor_id'),
                      sa.Index('ix_assignments_target', 'target_id'))


class Region(Base):
    __tablename__ = 'regions'
    id = sa.Column(sa.String(255), primary_key=True)
    description = sa.Column(sa.Text, nullable=False, default='')
    parent_region_id = sa.Column(sa.String(255), nullable=True)
    extra = sa.Column(types.JSONText, nullable=False, default=dict)


class CatalogService(Base):
    __tablename__ = 'catalog_services'
    id = _id()
    type = sa.Column(sa.String(255), nullable=False, index=True)
    name = sa.Column(sa.String(255), nullable=True)
    description = sa.Column(sa.Text)
    enabled = sa.Column(sa.Boolean, nullable=False, default=True)
    extra = sa.Column(types.JSONText, nullable=False, default=dict)


class Endpoint(Base):
    __tablename__ = 'endpoints'
    id = _id()
    service_id = sa.Column(sa.String(64), sa.ForeignKey('catalog_services.id'), nullable=False,
                           index=True)
    interface = sa.Column(sa.String(8), nullable=False)
    url = sa.Column(sa.Text, nullable=False)
    region_id = sa.Column(sa.String(255), sa.ForeignKey('regions.id'), nullable=True)
    enabled = sa.Column(sa.Boolean, nullable=False, default=True)
    extra = sa.Column(types.JSONText, nullable=False, default=dict)


class Credential(Base):
    __tablename__ = 'credentials'
    id = sa.Column(sa.String(64), primary_key=True)
    user_id = sa.Column(sa.String(64), sa.ForeignKey('users.id', ondelete='CASCADE'),
                        nullable=False, index=True)
    project_id = sa.Column(sa.String(64), nullable=True)
    type = sa.Column(sa.String(255), nullable=False)
    blob = sa.Column(sa.Text, nullable=False)
    extra = sa.Column(types.JSONText, nullable=False, default=dict)
    created_at = _created()


class ApplicationCredential(Base):
    __tablename__ = 'application_credentials'
    __table_args__ = (sa.UniqueConstraint('user_id', 'name', name='uniq_app_cred_name'),)
    id = _id()
    name = sa.Column(sa.String(255), nullable=False)
    user_id = sa.Column(sa.String(64), sa.ForeignKey('users.id', ondelete='CASCADE'),
                        nullable=False, index=True)
    project_id = sa.Column(sa.String(64), nullable=True)
    secret_hash = sa.Column(sa.String(255), nullable=False)
    description = sa.Column(sa.Text)
    expires_at = sa.Column(sa.DateTime, nullable=True)
    unrestricted = sa.Column(sa.Boolean, nullable=False, default=False)
    system = sa.Column(sa.String(16), nullable=True)
    role_ids = sa.Column(types.JSONText, nullable=False, default=list)
    created_at = _created()


class RevocationEvent(Base):
    __tablename__ = 'revocation_events'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    audit_id = sa.Column(sa.String(64), nullable=True)
    user_id = sa.Column(sa.String(64), nullable=True)
    project_id = sa.Column(sa.String(64), nullable=True)
    domain_id = sa.Column(sa.String(64), nullable=True)
    application_credential_id = sa.Column(sa.String(64), nullable=True)
    issued_before = sa.Column(_PRECISE_TIME, nullable=False, index=True)
    revoked_at = sa.Column(_PRECISE_TIME, nullable=False, default=types.utcnow)
