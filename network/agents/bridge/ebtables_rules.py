"""ARP anti-spoofing per filtered port: a guest may only claim its own IPv4 addresses."""
import ipaddress

from network.agents.bridge import firewall


def build(ports, prefix):
    """(chains, jumps) for ``EbtablesManager.apply``."""
    ports = [p for p in ports if firewall.filtered(p)]
    if not ports:
        return {}, []
    top = '%s-ARP' % prefix
    chains = {top: []}
    for port in sorted(ports, key=lambda p: p['id']):
        chain = '%s-a-%s' % (prefix, firewall.port_key(port))
        chains[top].append('-p ARP -i %s -j %s' % (port['tap_name'], chain))
        addrs = [ip['ip_address'] for ip in port.get('fixed_ips', [])]
        addrs += [p['ip_address'] for p in port.get('allowed_address_pairs') or []]
        rules = []
        for addr in addrs:
            net = ipaddress.ip_network(addr, strict=False)
            if net.version == 4:
                rules.append('-p ARP --arp-ip-src %s -j RETURN' % net)
        rules.append('-j DROP')
        chains[chain] = rules
    return chains, [('FORWARD', '-j %s' % top)]
