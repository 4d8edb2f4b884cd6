"""Column helpers shared by every service's models."""
import datetime
import json
import uuid

import sqlalchemy as sa
from sqlalchemy import types


def utcnow():
    """Naive UTC now, the form every timestamp column stores."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def new_id():
    """A new resource id: 32 hex characters, as identity uses."""
    return uuid.uuid4().hex


def new_uuid():
    """A new resource id in dashed UUID form, as compute, image and network use."""
    return str(uuid.uuid4())


class JSONText(types.TypeDecorator):
    """A JSON document stored as text (portable across SQLite, MariaDB and PostgreSQL)."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else json.dumps(value, sort_keys=True)

    def process_result_value(self, value, dialect):
        return None if value is None else json.loads(value)


def timestamps():
    """``created_at`` / ``updated_at`` columns for a table definition."""
    return [sa.Column('created_at', sa.DateTime, nullable=False, default=utcnow),
            sa.Column('updated_at', sa.DateTime, nullable=True, onupdate=utcnow)]
