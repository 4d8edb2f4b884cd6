"""The nat table of one router namespace: SNAT of tenant subnets, floating IP DNAT/SNAT,
port forwardings (DNAT of one protocol port of a floating IP)."""
import ipaddress
import logging

from common import validators

LOG = logging.getLogger(__name__)
PF_PROTOCOLS = ('tcp', 'udp')


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


def _port_number(value, field):
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise validators.InvalidValue(field, value, 'is not a port number (1-65535)')
    return value


def forwarding_rule(fip_address, pf):
    """``-d <fip>/32 -p <proto> --dport <ext> -j DNAT --to-destination <ip>:<port>``, every
    value parsed again here (the last check before iptables-restore)."""
    fip = validators.ip_address(fip_address, 'floating_ip_address', version=4)
    internal = validators.ip_address(pf.get('internal_ip_address'), 'internal_ip_address',
                                     version=4)
    protocol = pf.get('protocol')
    if protocol not in PF_PROTOCOLS:
        raise validators.InvalidValue('protocol', protocol, 'is not tcp or udp')
    return '-d %s/32 -p %s -m %s --dport %d -j DNAT --to-destination %s:%d' % (
        fip, protocol, protocol, _port_number(pf.get('external_port'), 'external_port'),
        internal, _port_number(pf.get('internal_port'), 'internal_port'))


def forwarding_rules(fip):
    rules = []
    for pf in fip.get('port_forwardings') or []:
        try:
            rules.append(forwarding_rule(fip['floating_ip_address'], pf))
        except validators.InvalidValue as exc:
            LOG.error('refusing to render port forwarding %s: %s',
                      validators.quote(pf.get('id')), exc.problem)
    return rules


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
        for rule in forwarding_rules(fip):
            chains[pre].append(rule)
            chains[out].append(rule)
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
