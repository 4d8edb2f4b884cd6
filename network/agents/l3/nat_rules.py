"""The nat table of one router namespace: SNAT of tenant subnets, floating IP DNAT/SNAT."""
import ipaddress


def v4_subnet_cidrs(router):
    cidrs = []
    for itf in router.get('interfaces', []):
        for subnet in itf.get('subnets', []):
            if ipaddress.ip_network(subnet['cidr']).version == 4 and subnet['cidr'] not in cidrs:
                cidrs.append(subnet['cidr'])
    return cidrs


def gateway_ip(router):
    """The router's own IPv4 address on the external network, or None."""
    for ip in (router.get('gw_port') or {}).get('fixed_ips', []):
        if ipaddress.ip_address(ip['ip_address']).version == 4:
            return ip['ip_address']
    return None


def build(router, gw_dev, prefix='cs'):
    """(chains, jumps) for ``IptablesManager.apply('nat', ...)`` inside the router namespace."""
    gw_ip = gateway_ip(router)
    if not gw_ip:
        return {}, []
    pre, out, post = ('%s-%s' % (prefix, c) for c in ('PREROUTING', 'OUTPUT', 'POSTROUTING'))
    chains = {pre: [], out: [], post: []}
    # Traffic between the router's own subnets is routed unchanged.
    chains[post].append('! -o %s -m conntrack ! --ctstate DNAT -j ACCEPT' % gw_dev)
    for fip in sorted(router.get('floating_ips', []), key=lambda f: f['floating_ip_address']):
        if not fip.get('fixed_ip_address'):
            continue
        dnat = '-d %s/32 -j DNAT --to-destination %s' % (fip['floating_ip_address'],
                                                       fip['fixed_ip_address'])
        chains[pre].append(dnat)
        chains[out].append(dnat)
        chains[post].append('-s %s/32 -o %s -j SNAT --to-source %s' % (
            fip['fixed_ip_address'], gw_dev, fip['floating_ip_address']))
    if router.get('enable_snat', True):
        for cidr in v4_subnet_cidrs(router):
            chains[post].append('-s %s -o %s -j SNAT --to-source %s' % (cidr, gw_dev, gw_ip))
    jumps = [('PREROUTING', '-j %s' % pre), ('OUTPUT', '-j %s' % out),
             ('POSTROUTING', '-j %s' % post)]
    return chains, jumps
