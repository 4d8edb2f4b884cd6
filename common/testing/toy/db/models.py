"""Step 3: the tables of the service's own database."""
import sqlalchemy as sa
from sqlalchemy import orm

from common import heartbeat
from common.db import types

Base = orm.declarative_base()
SERVICES = heartbeat.define_table(Base.metadata)


class Widget(Base):
    __tablename__ = 'widgets'
    id = sa.Column(sa.String(36), primary_key=True, default=types.new_uuid)
    project_id = sa.Column(sa.String(64), nullable=False, index=True)
    name = sa.Column(sa.String(255), nullable=False)
    size = sa.Column(sa.Integer, nullable=False, default=0)
