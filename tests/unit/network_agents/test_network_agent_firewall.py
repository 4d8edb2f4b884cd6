"""Security group rule generation (iptables/ebtables text) for the bridge agent."""
from network.agents.bridge import ebtables_rules
from network.agents.bridge import firewall

PORT_ID = '0123456789abcdef-0000-0000-000000000000'


def make_port(rules=(), **kw):
    port = {'id': PORT_ID, 'mac_address': 'FA:16:3E:00:00:01', 'network_id': 'n',
            'fixed_ips': [{'subnet_id': 's', 'ip_address': '10.97.0.5'}],
            'device_owner': 'compute:nova', 'admin_state_up': True,
            'port_security_enabled': True, 'allowed_address_pairs': [],
            'security_group_rules': list(rules), 'tap_name': 'tap0123456789a'}
    port.update(kw)
    return port


def rule(direction='ingress', **kw):
    base = {'direction': direction, 'ethertype': 'IPv4', 'protocol': None,
            'port_range_min': None, 'port_range_max': None, 'remote_ip_prefix': None,
            'remote_group_id': None, 'remote_ips': []}
    base.update(kw)
    return base


def test_chain_layout_and_jumps():
    chains, jumps = firewall.build([make_port()], 4, 'cs')
    assert jumps == [('FORWARD', '-j cs-FORWARD'), ('INPUT', '-j cs-INPUT')]
    assert set(chains) == {'cs-FORWARD', 'cs-INPUT', 'cs-sg', 'cs-i-0123456789a',
                           'cs-o-0123456789a', 'cs-s-0123456789a'}
    assert all(len(name) <= 28 for name in chains)
    assert chains['cs-FORWARD'] == [
        '-m physdev --physdev-out tap0123456789a --physdev-is-bridged -j cs-sg',
        '-m physdev --physdev-in tap0123456789a --physdev-is-bridged -j cs-sg']
    assert chains['cs-sg'][-1] == '-j ACCEPT'


def test_ingress_defaults_to_drop_but_allows_dhcp_replies_and_established():
    chains, _ = firewall.build([make_port()], 4, 'cs')
    ingress = chains['cs-i-0123456789a']
    assert ingress[-1] == '-j DROP'
    assert '-p udp -m udp --sport 67 --dport 68 -j RETURN' in ingress
    assert ingress.index('-m state --state RELATED,ESTABLISHED -j RETURN') < len(ingress) - 1
    assert '-m state --state INVALID -j DROP' in ingress


def test_tcp_rule_with_prefix_and_port_range():
    chains, _ = firewall.build([make_port([
        rule(protocol='tcp', port_range_min=22, port_range_max=22,
             remote_ip_prefix='203.0.113.0/24'),
        rule(protocol='udp', port_range_min=1000, port_range_max=2000)])], 4, 'cs')
    ingress = chains['cs-i-0123456789a']
    assert '-s 203.0.113.0/24 -p tcp -m tcp --dport 22 -j RETURN' in ingress
    assert '-p udp -m udp --dport 1000:2000 -j RETURN' in ingress
    assert ingress[-1] == '-j DROP'


def test_removing_a_rule_removes_its_line():
    with_rule = firewall.build([make_port([rule(protocol='tcp', port_range_min=22,
                                                port_range_max=22)])], 4, 'cs')[0]
    without = firewall.build([make_port()], 4, 'cs')[0]
    line = '-p tcp -m tcp --dport 22 -j RETURN'
    assert line in with_rule['cs-i-0123456789a']
    assert line not in without['cs-i-0123456789a']


def test_egress_rules_and_dhcp_request_from_unspecified_address():
    chains, _ = firewall.build([make_port([rule('egress', protocol='icmp')])], 4, 'cs')
    egress = chains['cs-o-0123456789a']
    assert egress[0].startswith('-s 0.0.0.0/32 -d 255.255.255.255/32 -p udp')
    assert egress[1] == '-j cs-s-0123456789a'
    assert '-p icmp -j RETURN' in egress
    assert '-p udp -m udp --sport 67 --dport 68 -j DROP' in egress
    assert egress[-1] == '-j DROP'


def test_anti_spoofing_allows_fixed_ips_and_address_pairs_only():
    port = make_port(allowed_address_pairs=[
        {'ip_address': '10.97.0.0/28', 'mac_address': 'fa:16:3e:00:00:02'},
        {'ip_address': '10.97.9.9', 'mac_address': None}])
    spoof = firewall.build([port], 4, 'cs')[0]['cs-s-0123456789a']
    assert spoof == ['-s 10.97.0.5 -m mac --mac-source fa:16:3e:00:00:01 -j RETURN',
                     '-s 10.97.0.0/28 -m mac --mac-source fa:16:3e:00:00:02 -j RETURN',
                     '-s 10.97.9.9 -m mac --mac-source fa:16:3e:00:00:01 -j RETURN',
                     '-j DROP']


def test_remote_group_uses_an_ipset_of_member_ips():
    port = make_port([rule(remote_group_id='g1', remote_ips=['10.97.0.5', '10.97.0.6',
                                                             'fd00::1'])])
    sets = firewall.remote_groups([port], 4, 'cs')
    name = firewall.ipset_name('cs', 4, 'g1')
    assert sets == {name: {'10.97.0.5', '10.97.0.6'}}
    assert len(name) <= 31
    assert '-m set --match-set %s src -j RETURN' % name in \
        firewall.build([port], 4, 'cs')[0]['cs-i-0123456789a']


def test_rules_of_the_other_family_are_skipped():
    chains, _ = firewall.build([make_port([rule(ethertype='IPv6', protocol='tcp',
                                                port_range_min=80, port_range_max=80)])],
                               4, 'cs')
    assert not any('--dport 80' in r for r in chains['cs-i-0123456789a'])
    v6 = firewall.build([make_port([rule(ethertype='IPv6', protocol='tcp',
                                         port_range_min=80, port_range_max=80)])], 6, 'cs')[0]
    assert '-p tcp -m tcp --dport 80 -j RETURN' in v6['cs-i-0123456789a']


def test_unfiltered_ports_get_no_chains():
    assert firewall.build([make_port(port_security_enabled=False)], 4, 'cs') == ({}, [])
    assert firewall.build([make_port(device_owner='network:dhcp')], 4, 'cs') == ({}, [])


def test_arp_spoofing_chain():
    chains, jumps = ebtables_rules.build([make_port()], 'cs')
    assert jumps == [('FORWARD', '-j cs-ARP')]
    assert chains['cs-ARP'] == ['-p ARP -i tap0123456789a -j cs-a-0123456789a']
    assert chains['cs-a-0123456789a'] == ['-p ARP --arp-ip-src 10.97.0.5/32 -j RETURN',
                                          '-j DROP']


def test_remote_address_group_matches_an_ipset_of_its_cidrs():
    ag = '6f1d2c3b-0000-4000-8000-00000000a9a9'
    port = make_port([rule(protocol='tcp', port_range_min=22, port_range_max=22,
                           remote_address_group_id=ag,
                           remote_ips=['203.0.113.0/24', '198.51.100.7/32']),
                      rule('egress', ethertype='IPv6', remote_address_group_id=ag,
                           remote_ips=['2001:db8::/64'])])
    name4, name6 = (firewall.ipset_name('cs', f, ag) for f in (4, 6))
    assert firewall.remote_groups([port], 4, 'cs') == {
        name4: {'203.0.113.0/24', '198.51.100.7/32'}}
    assert firewall.remote_groups([port], 6, 'cs') == {name6: {'2001:db8::/64'}}
    chains4, _ = firewall.build([port], 4, 'cs')
    assert ('-p tcp -m tcp --dport 22 -m set --match-set %s src -j RETURN' % name4
            in chains4['cs-i-0123456789a'])
    chains6, _ = firewall.build([port], 6, 'cs')
    assert '-m set --match-set %s dst -j RETURN' % name6 in chains6['cs-o-0123456789a']


def test_address_group_members_are_checked_again_where_rendered():
    # Values that slipped past the API: a bad CIDR, an injection, the wrong family, a
    # non-canonical spelling. Only canonical members of the set's family are rendered.
    port = make_port([rule(remote_address_group_id='ag1', remote_ips=[
        '10.0.0.0/33', '10.1.0.0/24\nflush x', '2001:db8::/64', '10.2.0.5/24',
        '10.3.0.1'])])
    [members] = firewall.remote_groups([port], 4, 'cs').values()
    assert members == {'10.2.0.0/24', '10.3.0.1'}
