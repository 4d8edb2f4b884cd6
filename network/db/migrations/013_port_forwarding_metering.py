"""Floating IP port forwardings and metering labels, rules and counters."""
from common.db import migration
from network.db import models


def upgrade(conn):
    migration.create_tables(conn, models.Base.metadata,
                            ['port_forwardings', 'metering_labels', 'metering_label_rules',
                             'metering_counters'])
