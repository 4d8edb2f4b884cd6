"""The dnsmasq command line and its host/option files for one network (pure generation)."""
import ipaddress
import logging

from common import validators
from network.agents.common import screen

LOG = logging.getLogger(__name__)

METADATA_IP = '169.254.169.254'


def _file(lines, what):
    """The text of a dnsmasq file: one entry a line, none holding a control character."""
    lines = screen.safe_lines(lines, what)
    return '\n'.join(lines) + ('\n' if lines else '')


def dhcp_subnets(network):
    return [s for s in network.get('subnets', []) if s.get('enable_dhcp')]


def _tag(subnet):
    return 'subnet-%s' % subnet['id']


def hostname(ip, port=None):
    """The name a port's address is known by: its dns_name (dns-integration) when it is
    a good DNS label, else ``host-<ip>``."""
    name = (port or {}).get('dns_name')
    if name:
        try:
            return validators.dns_label(name, 'dns_name')
        except validators.InvalidValue as exc:
            LOG.error('refusing to render dns_name of port %s: %s',
                      validators.quote(port.get('id')), exc.problem)
    return 'host-%s' % ip.replace('.', '-').replace(':', '-')


def port_tag(port):
    """``port-<id>``, the dnsmasq tag of a port with extra DHCP options (None if the id is
    not a UUID: no tag is made from anything else)."""
    try:
        return 'port-%s' % validators.uuid(port.get('id'), 'id', canonical=True)
    except validators.InvalidValue:
        return None


def extra_options(port):
    """(tag, ip_version, name, value) of each of the port's extra DHCP options that passes
    its validators again here, the last step before the options file."""
    tag = port_tag(port) if port.get('extra_dhcp_opts') else None
    if tag is None:
        return []
    out = []
    for opt in port['extra_dhcp_opts']:
        try:
            version = opt.get('ip_version') or 4
            name = validators.dhcp_option_name(opt.get('opt_name'), 'opt_name', version)
            value = validators.dhcp_option_value(opt.get('opt_value'), 'opt_value')
        except (validators.InvalidValue, AttributeError) as exc:
            LOG.error('refusing to render an extra DHCP option of port %s: %s', tag,
                      getattr(exc, 'problem', exc))
            continue
        out.append((tag, version, name, value))
    return out


def _port_ips(network, port):
    """(ip, subnet) pairs of ``port`` on the network's DHCP-enabled subnets."""
    subnets = {s['id']: s for s in dhcp_subnets(network)}
    return [(ip['ip_address'], subnets[ip['subnet_id']]) for ip in port.get('fixed_ips', [])
            if ip['subnet_id'] in subnets]


def _bindings(network):
    """(mac, ip, subnet, port) of each address dnsmasq hands out by DHCP, ports sorted by
    id."""
    subnets = {s['id']: s for s in dhcp_subnets(network)
               if s['ip_version'] == 4 or s.get('ipv6_address_mode') == 'dhcpv6-stateful'}
    for port in sorted(network.get('ports', []), key=lambda p: p['id']):
        mac = port['mac_address'].lower()
        for ip in port.get('fixed_ips', []):
            if ip['subnet_id'] in subnets:
                yield mac, ip['ip_address'], subnets[ip['subnet_id']], port


def host_bindings(network):
    """The set of (mac, ip) the hosts file binds (the screened state spells both
    canonically, as dnsmasq's lease file does)."""
    return {(mac, ip) for mac, ip, _subnet, _port in _bindings(network)}


def hosts_file(network):
    """dhcp-hostsfile: one static ``mac,[set:port-<id>,]name,ip`` binding per port address;
    the tag selects the port's extra DHCP options in the options file."""
    lines = []
    for mac, ip, subnet, port in _bindings(network):
        tag = port_tag(port) if extra_options(port) else None
        lines.append('%s,%s%s,%s' % (mac, 'set:%s,' % tag if tag else '', hostname(ip, port),
                                     '[%s]' % ip if subnet['ip_version'] == 6 else ip))
    return _file(lines, 'dnsmasq hosts file')


def addn_hosts_file(network, domain):
    lines = []
    for port in sorted(network.get('ports', []), key=lambda p: p['id']):
        for ip, _subnet in _port_ips(network, port):
            name = hostname(ip, port)
            # A space, not a tab: the file's screen refuses every control character.
            lines.append('%s %s.%s %s' % (ip, name, domain, name))
    return _file(lines, 'dnsmasq addn-hosts file')


def dhcp_port_ip(network, subnet):
    for ip in (network.get('dhcp_port') or {}).get('fixed_ips', []):
        if ip['subnet_id'] == subnet['id']:
            return ip['ip_address']
    return None


def opts_file(network, metadata=True):
    """dhcp-optsfile: router, DNS, MTU and classless routes per subnet tag."""
    lines = []
    for subnet in dhcp_subnets(network):
        tag = 'tag:%s' % _tag(subnet)
        if subnet['ip_version'] == 6:
            if subnet.get('dns_nameservers'):
                lines.append('%s,option6:dns-server,%s' % (
                    tag, ','.join('[%s]' % d for d in subnet['dns_nameservers'])))
            continue
        gateway = subnet.get('gateway_ip')
        lines.append('%s,option:router%s' % (tag, ',' + gateway if gateway else ''))
        if subnet.get('dns_nameservers'):
            lines.append('%s,option:dns-server,%s' % (tag, ','.join(subnet['dns_nameservers'])))
        if network.get('mtu'):
            lines.append('%s,option:mtu,%s' % (tag, network['mtu']))
        routes = [(r['destination'], r['nexthop']) for r in subnet.get('host_routes') or []
                  if ipaddress.ip_network(r['destination']).version == 4]
        own_ip = dhcp_port_ip(network, subnet)
        if metadata and own_ip and not any(d == METADATA_IP + '/32' for d, _ in routes):
            routes.append((METADATA_IP + '/32', own_ip))
        # Clients that get option 121 ignore option 3, so the default route goes in too.
        if gateway and not any(d == '0.0.0.0/0' for d, _ in routes):
            routes.append(('0.0.0.0/0', gateway))
        if routes:
            text = ','.join('%s,%s' % route for route in routes)
            lines.append('%s,option:classless-static-route,%s' % (tag, text))
            lines.append('%s,249,%s' % (tag, text))
    # Each port's extra DHCP options, selected by the tag its hosts file line sets; a name
    # is dnsmasq's option:/option6: name, a number its option code.
    for port in sorted(network.get('ports', []), key=lambda p: p['id']):
        for tag, version, name, value in extra_options(port):
            prefix = 'option:' if version == 4 else 'option6:'
            selector = name if version == 4 and name.isdigit() else prefix + name
            lines.append('tag:%s,%s,%s' % (tag, selector, value))
    return _file(lines, 'dnsmasq options file')


def dhcp_range(subnet, lease):
    net = ipaddress.ip_network(subnet['cidr'])
    if net.version == 4:
        return 'set:%s,%s,static,%s,%ss' % (_tag(subnet), net.network_address, net.netmask, lease)
    mode = subnet.get('ipv6_address_mode') or subnet.get('ipv6_ra_mode')
    if mode == 'slaac':
        return 'set:%s,%s,ra-only,%s,%ss' % (_tag(subnet), net.network_address,
                                             net.prefixlen, lease)
    if mode == 'dhcpv6-stateless':
        return 'set:%s,%s,ra-stateless,%s,%ss' % (_tag(subnet), net.network_address,
                                                  net.prefixlen, lease)
    return 'set:%s,%s,static,%s,%ss' % (_tag(subnet), net.network_address, net.prefixlen, lease)


def command(network, paths, interface, binary='dnsmasq', lease=86400, domain='openstacklocal',
            dns_servers=()):
    """dnsmasq arguments; ``paths`` maps pid/hosts/addn_hosts/opts/leases to file names."""
    subnets = dhcp_subnets(network)
    cmd = [binary, '--no-hosts', '--no-resolv', '--conf-file=/dev/null',
           '--pid-file=%s' % paths['pid'], '--dhcp-hostsfile=%s' % paths['hosts'],
           '--addn-hosts=%s' % paths['addn_hosts'], '--dhcp-optsfile=%s' % paths['opts'],
           '--dhcp-leasefile=%s' % paths['leases'], '--bind-interfaces',
           '--interface=%s' % interface, '--except-interface=lo', '--domain=%s' % domain,
           '--dhcp-authoritative']
    cmd += ['--dhcp-range=%s' % dhcp_range(s, lease) for s in subnets]
    size = sum(min(ipaddress.ip_network(s['cidr']).num_addresses, 1 << 16) for s in subnets)
    cmd.append('--dhcp-lease-max=%d' % max(size, 16))
    if any(s['ip_version'] == 6 and (s.get('ipv6_address_mode') or s.get('ipv6_ra_mode'))
           in ('slaac', 'dhcpv6-stateless') for s in subnets):
        cmd.append('--enable-ra')
    cmd += ['--server=%s' % server for server in dns_servers]
    return cmd
