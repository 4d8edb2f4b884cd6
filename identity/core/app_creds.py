"""Application credentials: a secret that authenticates as a user in one project with a
fixed subset of that user's roles."""
import datetime
import secrets

import sqlalchemy as sa

from common import exceptions
from common.db import types
from identity import passwords
from identity.core import assignment
from identity.core import resource
from identity.core import revoke
from identity.db import models


def get(sess, user_id, app_cred_id):
    cred = sess.get(models.ApplicationCredential, app_cred_id)
    if cred is None or (user_id is not None and cred.user_id != user_id):
        raise exceptions.NotFound('Could not find Application Credential: %s.' % app_cred_id)
    return cred


def find(sess, app_cred_id=None, name=None, user_id=None):
    if app_cred_id:
        return get(sess, None, app_cred_id)
    cred = sess.scalars(sa.select(models.ApplicationCredential).where(
        models.ApplicationCredential.name == name,
        models.ApplicationCredential.user_id == user_id)).first()
    if cred is None:
        raise exceptions.NotFound('Could not find Application Credential: %s.' % name)
    return cred


def create(sess, user_id, project_id, name, token_role_ids, role_refs=None, secret=None,
           description=None, expires_at=None, unrestricted=False, hash_cost=14):
    """Create one; returns (credential, secret in clear -- shown once)."""
    if sess.scalars(sa.select(models.ApplicationCredential).where(
            models.ApplicationCredential.user_id == user_id,
            models.ApplicationCredential.name == name)).first():
        raise exceptions.Conflict('Conflict occurred attempting to store application_credential'
                                  ' - Duplicate entry found with name %s.' % name)
    if expires_at is not None and expires_at <= types.utcnow():
        raise exceptions.BadRequest('expires_at must be in the future.')
    role_ids = []
    # Roles named explicitly must be held now (a role granted after the token was issued
    # counts, as in Keystone); without names the credential gets the token's roles.
    held = set()
    if role_refs:
        held = {r.id for r in assignment.effective_project_roles(
            sess, user_id, resource.get_project(sess, project_id))}
    for ref in role_refs or []:
        role = assignment.find_role(sess, ref.get('id'), ref.get('name'), ref.get('domain_id'))
        if role.id not in held:
            raise exceptions.Forbidden('You cannot delegate role %s: you do not hold it on this '
                                       'project.' % role.name)
        role_ids.append(role.id)
    if not role_refs:
        role_ids = list(token_role_ids)
    secret = secret or secrets.token_urlsafe(48)
    cred = models.ApplicationCredential(
        name=name, user_id=user_id, project_id=project_id,
        secret_hash=passwords.hash_password(secret, hash_cost), description=description,
        expires_at=expires_at, unrestricted=unrestricted, role_ids=role_ids)
    sess.add(cred)
    sess.flush()
    return cred, secret


def delete(sess, user_id, app_cred_id):
    cred = get(sess, user_id, app_cred_id)
    revoke.record(sess, application_credential_id=cred.id)
    sess.delete(cred)


def list_for_user(sess, user_id, name=None):
    query = sa.select(models.ApplicationCredential).where(
        models.ApplicationCredential.user_id == user_id)
    if name:
        query = query.where(models.ApplicationCredential.name == name)
    return list(sess.scalars(query.order_by(models.ApplicationCredential.name)))


def is_expired(cred):
    return cred.expires_at is not None and cred.expires_at <= types.utcnow()


def parse_expiry(text):
    if text is None:
        return None
    try:
        value = datetime.datetime.fromisoformat(text.replace('Z', '+00:00'))
    except (ValueError, AttributeError):
        raise exceptions.BadRequest("Invalid input for field 'expires_at': %r is not an ISO 8601 "
                                    "timestamp." % (text,))
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value
