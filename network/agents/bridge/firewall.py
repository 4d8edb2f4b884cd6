"""Security groups of the ports on this host as iptables chains (pure rule generation).

Layout per family, all chains named ``<prefix>-...``:
  FORWARD/INPUT -> <p>-FORWARD/<p>-INPUT: send packets leaving/entering a port's tap to
  <p>-sg, which runs <p>-i-<port11> (into the guest) and <p>-o-<port11> (out of the guest),
  then accepts. Port chains RETURN what they allow and end in DROP; the per-port
  <p>-s-<port11> chain checks source MAC/IP pairs (anti-spoofing).
"""
import hashlib
import ipaddress

from common import validators

PROTOCOL_NUMBERS = {'tcp': 'tcp', 'udp': 'udp', 'icmp': 'icmp', 'icmpv6': 'ipv6-icmp',
                    'ipv6-icmp': 'ipv6-icmp', '6': 'tcp', '17': 'udp', '1': 'icmp',
                    '58': 'ipv6-icmp'}
ETHERTYPE = {4: 'IPv4', 6: 'IPv6'}


def port_key(port):
    return port['id'][:11]


def filtered(port):
    """Ports we filter: port security on, and not a network-owned (router/DHCP) port."""
    return (port.get('port_security_enabled', True)
            and not (port.get('device_owner') or '').startswith('network:'))


def remote_set(rule):
    """The id of the set of addresses a rule matches as remote (a security group's ports'
    addresses, or an address group's CIDRs), or None."""
    return rule.get('remote_group_id') or rule.get('remote_address_group_id')


def _set_member(value, family):
    """``value`` (an address or CIDR) checked again as it goes into a set: only a value
    ``common.validators`` parses, of ``family``, in canonical form; else None."""
    try:
        canonical = validators.ip_address_or_network(value, 'remote_ips')
    except validators.InvalidValue:
        return None
    return canonical if _addr_family(canonical) == family else None


def ipset_name(prefix, family, group_id):
    """At most 31 characters (ipset's limit), stable per remote group and family."""
    digest = hashlib.sha1(group_id.encode()).hexdigest()[:16]
    return '%s%d-%s' % (prefix[:8], family, digest)


def _addr_family(text):
    return ipaddress.ip_network(text, strict=False).version


def _protocol_args(rule, family):
    proto = rule.get('protocol')
    if proto in (None, '', 'any'):
        return []
    name = PROTOCOL_NUMBERS.get(str(proto).lower(), str(proto))
    if family == 6 and name == 'icmp':
        name = 'ipv6-icmp'
    args = ['-p', name]
    pmin, pmax = rule.get('port_range_min'), rule.get('port_range_max')
    if name in ('tcp', 'udp', 'sctp', 'udplite', 'dccp') and pmin is not None:
        if pmax is None or pmax == pmin:
            args += ['-m', name, '--dport', str(pmin)]
        elif not (pmin == 1 and pmax == 65535):
            args += ['-m', name, '--dport', '%s:%s' % (pmin, pmax)]
    elif name in ('icmp', 'ipv6-icmp') and pmin is not None:
        opt = '--icmp-type' if name == 'icmp' else '--icmpv6-type'
        args += [opt, str(pmin) if pmax is None else '%s/%s' % (pmin, pmax)]
    return args


def rule_args(rule, family, prefix):
    """iptables arguments for one security group rule, or None if it is not for ``family``."""
    if rule.get('ethertype', 'IPv4') != ETHERTYPE[family]:
        return None
    side = '-s' if rule['direction'] == 'ingress' else '-d'
    args = _protocol_args(rule, family)
    if remote_set(rule):
        direction = 'src' if rule['direction'] == 'ingress' else 'dst'
        args += ['-m', 'set', '--match-set',
                 ipset_name(prefix, family, remote_set(rule)), direction]
    elif rule.get('remote_ip_prefix'):
        if _addr_family(rule['remote_ip_prefix']) != family:
            return None
        args = [side, rule['remote_ip_prefix']] + args
    return args + ['-j', 'RETURN']


def _spoof_rules(port, family):
    pairs = [(ip['ip_address'], port['mac_address']) for ip in port.get('fixed_ips', [])]
    pairs += [(p['ip_address'], p.get('mac_address') or port['mac_address'])
              for p in port.get('allowed_address_pairs') or []]
    rules = []
    for addr, mac in pairs:
        if _addr_family(addr) == family:
            rules.append('-s %s -m mac --mac-source %s -j RETURN' % (addr, mac.lower()))
    if family == 6:
        # Link-local addresses come from the MAC; DAD probes come from ::.
        rules.append('-s fe80::/64 -m mac --mac-source %s -j RETURN'
                     % port['mac_address'].lower())
    rules.append('-j DROP')
    return rules


def port_chains(port, family, prefix):
    """{chain: [rules]} of one port for one family."""
    key = port_key(port)
    ingress, egress, spoof = ('%s-%s-%s' % (prefix, d, key) for d in 'ios')
    state = ['-m state --state RELATED,ESTABLISHED -j RETURN', '-m state --state INVALID -j DROP']
    if family == 4:
        into = ['-p udp -m udp --sport 67 --dport 68 -j RETURN']
        out_first = ['-s 0.0.0.0/32 -d 255.255.255.255/32 -p udp -m udp --sport 68 '
                     '--dport 67 -j RETURN', '-j %s' % spoof,
                     '-p udp -m udp --sport 68 --dport 67 -j RETURN',
                     # A guest must not answer other guests' DHCP requests.
                     '-p udp -m udp --sport 67 --dport 68 -j DROP']
    else:
        # Router advertisements, neighbour discovery and DHCPv6 replies.
        into = ['-p ipv6-icmp -m icmp6 --icmpv6-type %d -j RETURN' % t
                for t in (130, 131, 132, 134, 135, 136)]
        into.append('-p udp -m udp --sport 547 --dport 546 -j RETURN')
        out_first = ['-s ::/128 -p ipv6-icmp -m icmp6 --icmpv6-type %d -j RETURN' % t
                     for t in (131, 135, 143)]
        out_first += ['-j %s' % spoof,
                      '-p ipv6-icmp -m icmp6 --icmpv6-type 134 -j DROP',
                      '-p ipv6-icmp -j RETURN',
                      '-p udp -m udp --sport 546 --dport 547 -j RETURN',
                      '-p udp -m udp --sport 547 --dport 546 -j DROP']
    in_rules, out_rules = into + state, out_first + state
    for rule in port.get('security_group_rules') or []:
        args = rule_args(rule, family, prefix)
        if args is None:
            continue
        target = in_rules if rule['direction'] == 'ingress' else out_rules
        text = ' '.join(args)
        if text not in target:
            target.append(text)
    return {ingress: in_rules + ['-j DROP'], egress: out_rules + ['-j DROP'],
            spoof: _spoof_rules(port, family)}


def build(ports, family, prefix):
    """(chains, jumps) for ``IptablesManager.apply('filter', ...)`` covering ``ports``."""
    ports = [p for p in ports if filtered(p)]
    if not ports:
        return {}, []
    fwd, inp, sg = '%s-FORWARD' % prefix, '%s-INPUT' % prefix, '%s-sg' % prefix
    chains = {fwd: [], inp: [], sg: []}
    for port in sorted(ports, key=lambda p: p['id']):
        tap, key = port['tap_name'], port_key(port)
        chains[fwd] += ['-m physdev --physdev-out %s --physdev-is-bridged -j %s' % (tap, sg),
                        '-m physdev --physdev-in %s --physdev-is-bridged -j %s' % (tap, sg)]
        chains[sg] += ['-m physdev --physdev-out %s --physdev-is-bridged -j %s-i-%s'
                       % (tap, prefix, key),
                       '-m physdev --physdev-in %s --physdev-is-bridged -j %s-o-%s'
                       % (tap, prefix, key)]
        # Traffic from the guest to the host itself (e.g. an address on the bridge).
        chains[inp].append('-m physdev --physdev-in %s -j %s-o-%s' % (tap, prefix, key))
        chains.update(port_chains(port, family, prefix))
    chains[sg].append('-j ACCEPT')
    return chains, [('FORWARD', '-j %s' % fwd), ('INPUT', '-j %s' % inp)]


def remote_groups(ports, family, prefix):
    """{ipset name: member addresses or CIDRs} for the remote security groups and
    address groups the ports' rules reference."""
    sets = {}
    for port in ports:
        if not filtered(port):
            continue
        for rule in port.get('security_group_rules') or []:
            if remote_set(rule) and rule.get('ethertype', 'IPv4') == ETHERTYPE[family]:
                name = ipset_name(prefix, family, remote_set(rule))
                members = sets.setdefault(name, set())
                members.update(m for m in (_set_member(ip, family)
                                           for ip in rule.get('remote_ips') or []) if m)
    return sets
