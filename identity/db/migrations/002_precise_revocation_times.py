"""Sub-second revocation times on MySQL/MariaDB databases made before 001 asked for them."""
import sqlalchemy as sa


def upgrade(conn):
    if conn.dialect.name not in ('mysql', 'mariadb'):
        return
    for column in ('issued_before', 'revoked_at'):
        conn.execute(sa.text('ALTER TABLE revocation_events MODIFY %s DATETIME(6) NOT NULL'
                             % column))
