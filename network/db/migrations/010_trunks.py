"""Trunks and their subports (trunk)."""
from common.db import migration
from network.db import models


def upgrade(conn):
    migration.create_tables(conn, models.Base.metadata, ['trunks', 'subports'])
