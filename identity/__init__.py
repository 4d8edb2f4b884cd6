"""Identity service (OpenStack Identity API v3): users, projects, domains, roles, tokens,
catalog, application and EC2 credentials."""
