"""Credential blobs encrypted at rest: plain ``blob`` rows of older databases are
encrypted with the credential key of the configured key repository (made if missing),
then the plain column is dropped.

SQLite zeroes the freed pages (secure_delete).  MariaDB and PostgreSQL may keep the old
values in free space until the table is rebuilt: run ``OPTIMIZE TABLE credentials`` or
``VACUUM FULL credentials`` after this upgrade (doc/security-identity-objectstore.md)."""
import sqlalchemy as sa

from common.db import migration


def upgrade(conn):
    columns = {c['name'] for c in sa.inspect(conn).get_columns('credentials')}
    if 'blob' not in columns:
        return  # made by 001 from the current models: already encrypted
    migration.add_column(conn, 'credentials', sa.Column('encrypted_blob', sa.Text,
                                                        nullable=True))
    migration.add_column(conn, 'credentials', sa.Column('key_hash', sa.String(64),
                                                        nullable=True))
    if conn.dialect.name == 'sqlite':
        conn.execute(sa.text('PRAGMA secure_delete = ON'))
    # BLOB is a reserved word in MariaDB/MySQL: table expressions quote it per dialect.
    table = sa.table('credentials', sa.column('id'), sa.column('blob'),
                     sa.column('encrypted_blob'), sa.column('key_hash'))
    rows = conn.execute(sa.select(table.c.id, table.c.blob)).fetchall()
    if rows:
        from identity.conf import CONF
        from identity.core import credential_crypto
        keys = credential_crypto.CredentialKeys(credential_crypto.key_dir(CONF))
        keys.setup()
        for cred_id, blob in rows:
            encrypted, key_hash = keys.encrypt(blob)
            conn.execute(sa.update(table).where(table.c.id == cred_id).values(
                encrypted_blob=encrypted, key_hash=key_hash, blob=''))
    conn.execute(sa.text('ALTER TABLE credentials DROP COLUMN %s'
                         % conn.dialect.identifier_preparer.quote('blob')))
