"""ports.extra_dhcp_opts (extra_dhcp_opt) and ports.dns_name (dns-integration)."""
from common.db import migration
from network.db import models


def upgrade(conn):
    for name in ('extra_dhcp_opts', 'dns_name'):
        migration.add_column(conn, 'ports', models.Port.__table__.c[name].copy())
