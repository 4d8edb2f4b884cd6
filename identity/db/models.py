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
    name = sa.Column(sa.String(64), nullable=False, index=True)  # ?name= across domains
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
    name = sa.Column(sa.String(255), nullable=False, index=True)
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
    name = sa.Column(sa.String(64), nullable=False, index=True)
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
                      sa.Index('ix_assignments_target', 'target_id'),
                      sa.Index('ix_assignments_role', 'role_id'))


class Region(Base):
    __tablename__ = 'regions'
    id = sa.Column(sa.String(255), primary_key=True)
    description = sa.Column(sa.Text, nullable=False, default='')
    parent_region_id = sa.Column(sa.String(255), nullable=True, index=True)
    extra = sa.Column(types.JSONText, nullable=False, default=dict)


class CatalogService(Base):
    __tablename__ = 'catalog_services'
    id = _id()
    type = sa.Column(sa.String(255), nullable=False, index=True)
    name = sa.Column(sa.String(255), nullable=True, index=True)
    description = sa.Column(sa.Text)
    enabled = sa.Column(sa.Boolean, nullable=False, default=True)
    extra = sa.Column(types.JSONText, nullable=False, default=dict)


class Endpoint(Base):
    __tablename__ = 'endpoints'
    id = _id()
    service_id = sa.Column(sa.String(64), sa.ForeignKey('catalog_services.id'), nullable=False,
                           index=True)
    interface = sa.Column(sa.String(8), nullable=False, index=True)
    url = sa.Column(sa.Text, nullable=False)
    region_id = sa.Column(sa.String(255), sa.ForeignKey('regions.id'), nullable=True,
                          index=True)
    enabled = sa.Column(sa.Boolean, nullable=False, default=True)
    extra = sa.Column(types.JSONText, nullable=False, default=dict)


class Credential(Base):
    __tablename__ = 'credentials'
    id = sa.Column(sa.String(64), primary_key=True)
    user_id = sa.Column(sa.String(64), sa.ForeignKey('users.id', ondelete='CASCADE'),
                        nullable=False, index=True)
    project_id = sa.Column(sa.String(64), nullable=True)
    type = sa.Column(sa.String(255), nullable=False, index=True)
    # The blob (an EC2 secret, a TOTP seed...) encrypted with the credential key of the
    # key repository (identity.core.credential_crypto), and which key that was.
    encrypted_blob = sa.Column(sa.Text, nullable=False)
    key_hash = sa.Column(sa.String(64), nullable=False)
    extra = sa.Column(types.JSONText, nullable=False, default=dict)
    created_at = _created()
    # An ec2 credential: SHA-256 of its access key (the key may change, the id does not).
    access_id = sa.Column(sa.String(64), nullable=True)
    __table_args__ = (sa.Index('uniq_credentials_access_id', 'access_id', unique=True),)


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


class Policy(Base):
    """A policy blob stored for a service to fetch (``/v3/policies``); identity only keeps it."""

    __tablename__ = 'policies'
    id = _id()
    type = sa.Column(sa.String(255), nullable=False)
    blob = sa.Column(sa.Text, nullable=False)
    extra = sa.Column(types.JSONText, nullable=False, default=dict)


class EndpointGroup(Base):
    """OS-EP-FILTER: endpoints chosen by attribute filters (interface, service_id,
    region_id); a project associated with groups sees only their endpoints in its catalog."""

    __tablename__ = 'endpoint_groups'
    id = _id()
    name = sa.Column(sa.String(255), nullable=False)
    description = sa.Column(sa.Text)
    filters = sa.Column(types.JSONText, nullable=False, default=dict)


class ProjectEndpointGroup(Base):
    __tablename__ = 'project_endpoint_groups'
    endpoint_group_id = sa.Column(sa.String(64), sa.ForeignKey('endpoint_groups.id',
                                                               ondelete='CASCADE'),
                                  primary_key=True)
    project_id = sa.Column(sa.String(64), primary_key=True, index=True)


class DomainConfig(Base):
    """Domain-specific configuration (``/v3/domains/{id}/config``): ``{group: {option:
    value}}`` of the groups the API allows."""

    __tablename__ = 'domain_configs'
    domain_id = sa.Column(sa.String(64), sa.ForeignKey('domains.id', ondelete='CASCADE'),
                          primary_key=True)
    config = sa.Column(types.JSONText, nullable=False, default=dict)


class Consumer(Base):
    """An OAuth 1.0a consumer (OS-OAUTH1); its secret signs requests (HMAC-SHA1), so it is
    kept encrypted with the credential key, as credential blobs are."""

    __tablename__ = 'oauth_consumers'
    id = _id()
    description = sa.Column(sa.Text)
    encrypted_secret = sa.Column(sa.Text, nullable=False)
    key_hash = sa.Column(sa.String(64), nullable=False)
    extra = sa.Column(types.JSONText, nullable=False, default=dict)


class _OAuthToken:
    """What request and access tokens share: the consumer and the secret that signs with
    the consumer's, kept encrypted with the credential key."""

    id = _id()
    encrypted_secret = sa.Column(sa.Text, nullable=False)
    key_hash = sa.Column(sa.String(64), nullable=False)

    @orm.declared_attr
    def consumer_id(cls):
        return sa.Column(sa.String(64), sa.ForeignKey('oauth_consumers.id', ondelete='CASCADE'),
                         nullable=False, index=True)


class OAuthRequestToken(_OAuthToken, Base):
    """A consumer's request for delegation on a project; a user authorizes it with roles
    (then it carries a verifier) and the consumer exchanges it for an access token."""

    __tablename__ = 'oauth_request_tokens'
    requested_project_id = sa.Column(sa.String(64), nullable=False)
    authorizing_user_id = sa.Column(sa.String(64), nullable=True)
    role_ids = sa.Column(types.JSONText, nullable=False, default=list)
    verifier = sa.Column(sa.String(64), nullable=True)
    expires_at = sa.Column(sa.DateTime, nullable=False)


class OAuthAccessToken(_OAuthToken, Base):
    """What a consumer holds to get tokens of the authorizing user on the project, with
    the roles the user delegated."""

    __tablename__ = 'oauth_access_tokens'
    authorizing_user_id = sa.Column(sa.String(64), sa.ForeignKey('users.id',
                                                                 ondelete='CASCADE'),
                                    nullable=False, index=True)
    project_id = sa.Column(sa.String(64), nullable=False)
    role_ids = sa.Column(types.JSONText, nullable=False, default=list)
    expires_at = sa.Column(sa.DateTime, nullable=True)
