"""The network service's database: models, migrations and queries."""
