"""instances.vm_state holds every one of Nova's vm_states: 'shelved_offloaded' is 17
characters, longer than the 16 that 001 gave it (MySQL/MariaDB refused it, so a shelved
server was never offloaded).  SQLite does not enforce lengths."""
import sqlalchemy as sa


def upgrade(conn):
    if conn.dialect.name in ('mysql', 'mariadb'):
        conn.execute(sa.text('ALTER TABLE instances MODIFY vm_state VARCHAR(255) NOT NULL'))
    elif conn.dialect.name == 'postgresql':
        conn.execute(sa.text('ALTER TABLE instances ALTER COLUMN vm_state TYPE VARCHAR(255)'))
