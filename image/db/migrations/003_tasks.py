"""Import jobs shown as tasks: who asked (owner, user, request id), the task's type, input
and result, and when a finished task expires."""
import sqlalchemy as sa

from common.db import migration
from common.db import types


def upgrade(conn):
    for column in (sa.Column('task_type', sa.String(30), nullable=True),
                   sa.Column('owner', sa.String(255), nullable=True),
                   sa.Column('user_id', sa.String(255), nullable=True),
                   sa.Column('request_id', sa.String(255), nullable=True),
                   sa.Column('task_input', types.JSONText, nullable=True),
                   sa.Column('result', types.JSONText, nullable=True),
                   sa.Column('expires_at', sa.DateTime, nullable=True)):
        migration.add_column(conn, 'image_imports', column)
