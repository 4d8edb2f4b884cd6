"""EC2/S3 secrets (every stored credential blob) are encrypted at rest with a Fernet key of
identity's key repository (issue 16, finding 14's identity part): the database holds no
secret, the key file is 0600, the owner still reads the blob as Keystone returns it, and
``identity-manage db-sync`` encrypts the rows of a database made before."""
import glob
import json
import os
import stat
import subprocess
import sys
import uuid

import sqlalchemy as sa

from common.db import api as db_api
from common.db import migration
from common.testing import daemons
from identity.core import resource
from identity.core import users


def _database_bytes(state_dir):
    data = b''
    for path in glob.glob(os.path.join(state_dir, 'identity.sqlite*')):
        with open(path, 'rb') as handle:
            data += handle.read()
    return data


def test_credential_secrets_are_encrypted_at_rest(identity, api):
    user = api.user()
    project = api.create('project')
    api.grant(user['id'], 'member', project['id'])
    _, token, _ = api.auth(user, {'project': {'id': project['id']}})
    _, _, body = api.call('POST', '/v3/users/%s/credentials/OS-EC2' % user['id'],
                          {'tenant_id': project['id']}, token=token, expect=201)
    ec2 = body['credential']
    seed = 'totp-seed-%s' % uuid.uuid4().hex
    _, _, body = api.call('POST', '/v3/credentials', {'credential': {
        'user_id': user['id'], 'type': 'totp', 'blob': seed}}, token=token, expect=201)
    totp = body['credential']

    state = os.path.join(identity.workdir, 'state')
    stored = _database_bytes(state)
    assert stored, 'no identity database found in %s' % state
    for secret in (ec2['secret'], seed):
        assert secret.encode() not in stored
    key_path = os.path.join(state, 'keys', 'credential.fernet')
    assert stat.S_IMODE(os.stat(key_path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(key_path)).st_mode) == 0o700

    # the owner reads its secrets back as Keystone returns them
    _, _, body = api.call('GET', '/v3/users/%s/credentials/OS-EC2/%s' % (user['id'],
                                                                         ec2['access']),
                          token=token, expect=200)
    assert body['credential']['secret'] == ec2['secret']
    _, _, body = api.call('GET', '/v3/credentials/%s' % totp['id'], token=token, expect=200)
    assert body['credential']['blob'] == seed
    _, _, body = api.call('GET', '/v3/credentials?type=ec2', token=token, expect=200)
    blobs = [json.loads(c['blob']) for c in body['credentials']]
    assert [b['secret'] for b in blobs] == [ec2['secret']]


def test_db_sync_encrypts_existing_credential_rows(tmp_path):
    state = tmp_path / 'state'
    conf = daemons.write_ini(str(tmp_path / 'identity.conf'), {
        'DEFAULT': {'state_path': str(state)}, 'identity': {'password_hash_cost': 10}})
    os.makedirs(state, exist_ok=True)
    db = db_api.Database('sqlite:///%s' % (state / 'identity.sqlite'))
    migration.upgrade(db, 'identity.db.migrations', target=2)
    blobs = {}
    with db.engine.begin() as conn:
        # the credentials table as databases made before encryption have it
        conn.execute(sa.text('DROP TABLE credentials'))
        conn.execute(sa.text(
            'CREATE TABLE credentials (id VARCHAR(64) PRIMARY KEY, user_id VARCHAR(64) NOT '
            'NULL, project_id VARCHAR(64), type VARCHAR(255) NOT NULL, blob TEXT NOT NULL, '
            'extra TEXT NOT NULL, created_at DATETIME NOT NULL)'))
    with db.session() as sess:
        resource.create_domain(sess, 'Default', domain_id='default')
        owner = users.create_user(sess, 'legacy', 'default', hash_cost=10).id
    with db.engine.begin() as conn:
        for kind in ('ec2', 'totp'):
            cred_id = uuid.uuid4().hex
            blobs[cred_id] = json.dumps({'access': uuid.uuid4().hex,
                                         'secret': 'legacy-secret-' + uuid.uuid4().hex})
            conn.execute(sa.text(
                "INSERT INTO credentials VALUES (:i, :u, NULL, :t, :b, '{}', "
                "'2024-01-01 00:00:00')"), {'i': cred_id, 'u': owner, 't': kind,
                                            'b': blobs[cred_id]})
    db.dispose()
    assert all(b.encode() in _database_bytes(str(state)) for b in blobs.values())

    done = subprocess.run([sys.executable, '-m', 'identity.manage', '--config-file', conf,
                           'db-sync'], cwd=daemons.REPO, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr

    key_dir = str(state / 'keys')
    key_path = os.path.join(key_dir, 'credential.fernet')
    assert os.path.exists(key_path), 'db-sync made no credential key'
    assert stat.S_IMODE(os.stat(key_path).st_mode) == 0o600
    from identity.core import credential_crypto
    keys = credential_crypto.CredentialKeys(key_dir)
    db = db_api.Database('sqlite:///%s' % (state / 'identity.sqlite'))
    try:
        with db.engine.connect() as conn:
            columns = {c['name'] for c in sa.inspect(conn).get_columns('credentials')}
            rows = conn.execute(sa.text(
                'SELECT id, encrypted_blob, key_hash FROM credentials')).fetchall()
    finally:
        db.dispose()
    assert 'blob' not in columns
    assert {r[0]: keys.decrypt(r[1], r[2]) for r in rows} == blobs
    stored = _database_bytes(str(state))
    for blob in blobs.values():
        assert json.loads(blob)['secret'].encode() not in stored
    # a second db-sync is a no-op
    done = subprocess.run([sys.executable, '-m', 'identity.manage', '--config-file', conf,
                           'db-sync'], cwd=daemons.REPO, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
