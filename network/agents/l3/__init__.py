"""network-l3-agent: routers as qrouter-<router_id> namespaces with NAT and floating IPs."""
