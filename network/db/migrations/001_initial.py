"""Create every table of the network service from the current models."""
from network.db import models


def upgrade(conn):
    models.Base.metadata.create_all(conn, checkfirst=True)
