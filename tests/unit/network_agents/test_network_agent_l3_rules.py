"""NAT rules of a router namespace and uplink naming."""
import pytest

from network.agents.common import iptables
from network.agents.common import plug
from network.agents.l3 import nat_rules


def router(enable_snat=True, fips=True):
    return {'id': 'r1', 'enable_snat': enable_snat,
            'gw_port': {'id': 'g', 'fixed_ips': [{'subnet_id': 'e', 'ip_address': '198.51.100.10'}]},
            'interfaces': [{'id': 'i', 'subnets': [{'id': 's', 'cidr': '10.97.1.0/24'}]}],
            'floating_ips': [{'floating_ip_address': '198.51.100.20',
                              'fixed_ip_address': '10.97.1.10'}] if fips else []}


def test_snat_and_floating_ip_rules():
    chains, jumps = nat_rules.build(router(), 'qg-x')
    assert chains['cs-PREROUTING'] == ['-d 198.51.100.20/32 -j DNAT --to-destination 10.97.1.10']
    assert chains['cs-OUTPUT'] == chains['cs-PREROUTING']
    assert chains['cs-POSTROUTING'] == [
        '! -o qg-x -m conntrack ! --ctstate DNAT -j ACCEPT',
        '-s 10.97.1.10/32 -o qg-x -j SNAT --to-source 198.51.100.20',
        '-s 10.97.1.0/24 -o qg-x -j SNAT --to-source 198.51.100.10']
    assert ('POSTROUTING', '-j cs-POSTROUTING') in jumps


def test_no_snat_when_disabled_and_nothing_without_gateway():
    chains, _ = nat_rules.build(router(enable_snat=False, fips=False), 'qg-x')
    assert not any('--to-source 198.51.100.10' in r for r in chains['cs-POSTROUTING'])
    assert nat_rules.build(dict(router(), gw_port=None), 'qg-x') == ({}, [])


def test_iptables_restore_text_replaces_and_drops_chains():
    text = iptables.render('nat', {'cs-a': ['-j ACCEPT']}, ['cs-old'])
    assert text == '*nat\n:cs-a - [0:0]\n:cs-old - [0:0]\n-A cs-a -j ACCEPT\n-X cs-old\nCOMMIT\n'


def test_uplink_names():
    mappings = {'physnet1': 'eth1', 'longnet': 'enp0s31f6abcdef'}
    assert plug.uplink_name({'network_type': 'local'}, mappings) is None
    assert plug.uplink_name({'network_type': 'flat', 'physical_network': 'physnet1'},
                            mappings) == 'eth1'
    assert plug.uplink_name({'network_type': 'vlan', 'physical_network': 'physnet1',
                             'segmentation_id': 100}, mappings) == 'eth1.100'
    name = plug.uplink_name({'network_type': 'vlan', 'physical_network': 'longnet',
                             'segmentation_id': 4094}, mappings)
    assert len(name) <= 15 and name.endswith('.4094')
    with pytest.raises(plug.UplinkError):
        plug.uplink_name({'network_type': 'flat', 'physical_network': 'nope'}, mappings)
    assert plug.bridge_name('0123456789abcdef') == 'brq0123456789a'
