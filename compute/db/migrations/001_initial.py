"""Create every table of the compute service from the current models."""
from compute.db import models


def upgrade(conn):
    models.Base.metadata.create_all(conn, checkfirst=True)
