"""network-dhcp-agent: one dnsmasq per network, in a qdhcp-<network_id> namespace."""
