"""Networking service (Neutron API v2.0): networks, subnets, ports, routers, floating IPs."""
