"""Stored credentials (``/v3/credentials``), EC2-style access/secret pairs and the
verification of AWS signatures made with them (used by the object store's S3 API)."""
import base64
import hashlib
import hmac
import json
import uuid

import sqlalchemy as sa

from common import exceptions
from identity.core import resource
from identity.core import users as users_core
from identity.db import models


def ec2_credential_id(access):
    """The SHA-256 of an access key: an ec2 credential's ``access_id`` (the lookup key of
    signed requests) and the id it is created with."""
    return hashlib.sha256(access.encode('utf-8')).hexdigest()


def _claim_access(sess, access_id, credential_id=None):
    """409 when another credential already has this access key."""
    holder = sess.scalars(sa.select(models.Credential).where(
        models.Credential.access_id == access_id)).first()
    if holder is not None and holder.id != credential_id:
        raise exceptions.Conflict('Conflict occurred attempting to store credential - another '
                                  'ec2 credential has this access key.')


def get_credential(sess, credential_id):
    cred = sess.get(models.Credential, credential_id)
    if cred is None:
        raise exceptions.NotFound('Could not find credential: %s.' % credential_id)
    return cred


def _ec2_blob(blob_text):
    try:
        blob = json.loads(blob_text)
    except ValueError:
        raise exceptions.BadRequest('An ec2 credential blob must be a JSON object with '
                                    '"access" and "secret".')
    if not isinstance(blob, dict) or not isinstance(blob.get('access'), str) \
            or not isinstance(blob.get('secret'), str) or not blob['access']:
        raise exceptions.BadRequest('An ec2 credential blob must be a JSON object with '
                                    '"access" and "secret".')
    return blob


def blob_of(keys, cred):
    """The clear blob of a stored credential (``keys``: its CredentialKeys)."""
    return keys.decrypt(cred.encrypted_blob, cred.key_hash)


def create_credential(sess, keys, user_id, type, blob, project_id=None, credential_id=None,
                      extra=None):
    users_core.get_user(sess, user_id)
    if project_id:
        resource.get_project(sess, project_id)
    expected = None
    if type == 'ec2':
        if not project_id:
            raise exceptions.BadRequest('An ec2 credential needs a project_id.')
        access = _ec2_blob(blob)['access']
        expected = ec2_credential_id(access)
        if credential_id and credential_id != expected:
            raise exceptions.BadRequest('The id of an ec2 credential must be the SHA-256 of its '
                                        'access key.')
        _claim_access(sess, expected)
        if credential_id is None and sess.get(models.Credential, expected) is None:
            # the id an access key gives (a credential whose key changed keeps its id)
            credential_id = expected
    credential_id = credential_id or uuid.uuid4().hex
    if sess.get(models.Credential, credential_id) is not None:
        raise exceptions.Conflict('Conflict occurred attempting to store credential - Duplicate '
                                  'ID, %s.' % credential_id)
    encrypted, key_hash = keys.encrypt(blob)
    cred = models.Credential(id=credential_id, user_id=user_id, project_id=project_id,
                             type=type, encrypted_blob=encrypted, key_hash=key_hash,
                             extra=extra or {},
                             access_id=expected if type == 'ec2' else None)
    sess.add(cred)
    sess.flush()
    return cred


def update_credential(sess, keys, credential_id, changes):
    cred = get_credential(sess, credential_id)
    new_type = changes.get('type', cred.type)
    access_id = None
    if new_type == 'ec2':
        blob = _ec2_blob(changes['blob'] if 'blob' in changes else blob_of(keys, cred))
        access_id = ec2_credential_id(blob['access'])
        _claim_access(sess, access_id, cred.id)
        if not changes.get('project_id', cred.project_id):
            raise exceptions.BadRequest('An ec2 credential needs a project_id.')
    if changes.get('user_id'):
        users_core.get_user(sess, changes['user_id'])
    if changes.get('project_id'):
        resource.get_project(sess, changes['project_id'])
    for key, value in changes.items():
        if key == 'blob':
            cred.encrypted_blob, cred.key_hash = keys.encrypt(value)
        else:
            setattr(cred, key, value)
    cred.access_id = access_id
    return cred


def delete_credential(sess, credential_id):
    sess.delete(get_credential(sess, credential_id))


def list_credentials(sess, user_id=None, type=None):
    query = sa.select(models.Credential)
    if user_id:
        query = query.where(models.Credential.user_id == user_id)
    if type:
        query = query.where(models.Credential.type == type)
    return list(sess.scalars(query.order_by(models.Credential.created_at)))


def create_ec2(sess, keys, user_id, project_id):
    """A new access/secret pair for a user on a project."""
    access, secret = uuid.uuid4().hex, uuid.uuid4().hex
    blob = json.dumps({'access': access, 'secret': secret, 'trust_id': None})
    return create_credential(sess, keys, user_id, 'ec2', blob, project_id=project_id)


def ec2_view(keys, cred):
    blob = json.loads(blob_of(keys, cred))
    return {'user_id': cred.user_id, 'tenant_id': cred.project_id, 'project_id': cred.project_id,
            'access': blob['access'], 'secret': blob['secret'], 'trust_id': blob.get('trust_id')}


def get_ec2_by_access(sess, access):
    cred = sess.scalars(sa.select(models.Credential).where(
        models.Credential.access_id == ec2_credential_id(access))).first()
    if cred is None or cred.type != 'ec2':
        return None
    return cred


def _sigv4_signature(secret, string_to_sign):
    """HMAC-SHA256 signature of an AWS SigV4 string to sign; the scope line gives the
    date, region and service that derive the signing key."""
    lines = string_to_sign.split('\n')
    if len(lines) < 4:
        raise ValueError('string to sign has no credential scope')
    scope = lines[2].split('/')
    if len(scope) != 4 or scope[3] != 'aws4_request':
        raise ValueError('malformed credential scope')
    key = ('AWS4' + secret).encode('utf-8')
    for part in scope:
        key = hmac.new(key, part.encode('utf-8'), hashlib.sha256).digest()
    return hmac.new(key, string_to_sign.encode('utf-8'), hashlib.sha256).hexdigest()


def check_aws_signature(secret, string_to_sign, signature):
    """True when ``signature`` signs ``string_to_sign`` with ``secret`` (SigV4 or SigV2)."""
    try:
        if string_to_sign.startswith('AWS4-HMAC-SHA256'):
            expected = _sigv4_signature(secret, string_to_sign)
        else:
            expected = base64.b64encode(hmac.new(secret.encode('utf-8'),
                                                 string_to_sign.encode('utf-8'),
                                                 hashlib.sha1).digest()).decode()
    except ValueError:
        return False
    return hmac.compare_digest(expected.encode(), str(signature).encode())
