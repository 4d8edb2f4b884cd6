"""The tags table (standard-attr-tag)."""
from network.db import models


def upgrade(conn):
    models.Tag.__table__.create(conn, checkfirst=True)
