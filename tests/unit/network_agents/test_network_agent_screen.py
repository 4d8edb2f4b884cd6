"""The agents refuse to render tenant values that do not parse strictly (issue 16, finding
9, closed at the host's end): whatever the server hands them, no scoped address, no value
with a newline and no malformed MAC reaches iptables-restore, ipset, ebtables or dnsmasq."""
import logging
import os
import stat
import uuid

import pytest

from network.agents.bridge import datapath as bridge_datapath
from network.agents.bridge import ebtables_rules
from network.agents.bridge import firewall
from network.agents.common import agent as agent_mod
from network.agents.common import ebtables
from network.agents.common import ipset
from network.agents.common import iptables
from network.agents.common import screen
from network.agents.dhcp import datapath as dhcp_datapath
from network.agents.dhcp import dnsmasq_config

INJECT = '\n-I FORWARD 1 -j ACCEPT'
GOOD_PORT, BAD_PORT, SUBNET4, SUBNET6, NET, SG, DHCP_PORT = (
    str(uuid.UUID(hex=digit * 32)) for digit in '1234567')


def rule(**kw):
    base = {'direction': 'ingress', 'ethertype': 'IPv4', 'protocol': 'tcp',
            'port_range_min': 22, 'port_range_max': 22, 'remote_ip_prefix': None,
            'remote_group_id': None, 'remote_ips': []}
    base.update(kw)
    return base


def bridge_state():
    good = {'id': GOOD_PORT, 'mac_address': 'fa:16:3e:00:00:01', 'network_id': NET,
            'fixed_ips': [{'subnet_id': SUBNET4, 'ip_address': '10.97.0.5'},
                          {'subnet_id': SUBNET6, 'ip_address': 'fd77::20%a' + INJECT}],
            'device_owner': 'compute:nova', 'device_id': 'vm', 'admin_state_up': True,
            'port_security_enabled': True,
            'allowed_address_pairs': [
                {'ip_address': '10.97.0.0/28', 'mac_address': 'fa:16:3e:00:00:01'},
                {'ip_address': 'fd77::21%eth0', 'mac_address': 'fa:16:3e:00:00:01'},
                {'ip_address': '10.97.0.9', 'mac_address': 'fa:16:3e:00:00:01\n'}],
            'security_group_ids': [SG],
            'security_group_rules': [
                rule(remote_ip_prefix='203.0.113.0/24'),
                rule(remote_ip_prefix='198.51.100.0/24' + INJECT),
                rule(ethertype='IPv6', remote_ip_prefix='fd77::%1/64'),
                rule(protocol='tcp\n-A INPUT -j ACCEPT'),
                rule(protocol='udp', port_range_min=53, port_range_max=53,
                     remote_group_id=SG, remote_ips=['10.97.0.7', '10.97.0.8\nflush x'])],
            'tap_name': 'tap' + GOOD_PORT[:11]}
    bad = dict(good, id=BAD_PORT, mac_address='fa:16:3e:00:00:02\n', fixed_ips=[],
               allowed_address_pairs=[], security_group_rules=[],
               tap_name='tap' + BAD_PORT[:11])
    return {'networks': [{'id': NET, 'network_type': 'flat', 'physical_network': 'public',
                          'segmentation_id': None, 'mtu': 1500}],
            'ports': [good, bad]}


def _all_rendered(state):
    out = []
    for family in (4, 6):
        chains, _jumps = firewall.build(state['ports'], family, 'cs')
        out.append(iptables.render('filter', chains, []))
        for name, members in firewall.remote_groups(state['ports'], family, 'cs').items():
            out += ['add %s %s' % (name, m) for m in members]
    chains, _jumps = ebtables_rules.build(state['ports'], 'cs')
    out += [r for rules in chains.values() for r in rules]
    return '\n'.join(out)


def test_bridge_state_keeps_good_values_and_leaves_out_each_bad_one(caplog):
    caplog.set_level(logging.ERROR)
    state = screen.screen_state(bridge_state())
    assert [p['id'] for p in state['ports']] == [GOOD_PORT]
    assert state['skipped_ports'] == [BAD_PORT]
    port = state['ports'][0]
    assert port['fixed_ips'] == [{'subnet_id': SUBNET4, 'ip_address': '10.97.0.5'}]
    assert [p['ip_address'] for p in port['allowed_address_pairs']] == ['10.97.0.0/28']
    assert [r.get('remote_ip_prefix') for r in port['security_group_rules']] == [
        '203.0.113.0/24', None]
    assert port['security_group_rules'][1]['remote_ips'] == ['10.97.0.7']
    text = _all_rendered(state)
    assert '-s 203.0.113.0/24 -p tcp -m tcp --dport 22 -j RETURN' in text
    assert '-s 10.97.0.0/28 -m mac --mac-source fa:16:3e:00:00:01 -j RETURN' in text
    assert '%' not in text and 'flush' not in text and '-A INPUT -j ACCEPT' not in text
    assert '-I FORWARD' not in text
    assert BAD_PORT[:11] not in text
    logged = caplog.text
    assert 'refusing to render' in logged and 'fd77::20%a' in logged
    # The log quotes the bad value escaped: a newline cannot forge a log line either.
    assert all(line.startswith(('ERROR', ' ')) or 'refusing' in line
               for line in logged.splitlines() if line)


def test_dhcp_state_never_writes_injected_options_or_hosts():
    subnet4 = {'id': SUBNET4, 'cidr': '10.97.3.0/24', 'ip_version': 4,
               'gateway_ip': '10.97.3.1', 'enable_dhcp': True, 'network_id': NET,
               'dns_nameservers': ['192.0.2.53', '192.0.2.54\ndhcp-option=3,6.6.6.6'],
               'host_routes': [{'destination': '10.98.0.0/16', 'nexthop': '10.97.3.254'},
                               {'destination': '0.0.0.0/0', 'nexthop': '10.97.3.9%x'}],
               'allocation_pools': [{'start': '10.97.3.2', 'end': '10.97.3.254'}],
               'ipv6_address_mode': None, 'ipv6_ra_mode': None}
    subnet6 = dict(subnet4, id=SUBNET6, cidr='fd77::/64', ip_version=6,
                   gateway_ip='fd77::1%a', dns_nameservers=['fd77::53'], host_routes=[],
                   allocation_pools=[], ipv6_address_mode='dhcpv6-stateful',
                   ipv6_ra_mode='dhcpv6-stateful')
    ports = [{'id': GOOD_PORT, 'mac_address': 'FA:16:3E:00:00:05', 'device_owner': 'x',
              'fixed_ips': [{'subnet_id': SUBNET4, 'ip_address': '10.97.3.5'},
                            {'subnet_id': SUBNET4, 'ip_address': '10.97.3.6\n'}]},
             {'id': BAD_PORT, 'mac_address': 'fa:16:3e:00:00:06\n10.97.3.66',
              'device_owner': 'x',
              'fixed_ips': [{'subnet_id': SUBNET4, 'ip_address': '10.97.3.66'}]}]
    state = screen.screen_state({'networks': [{
        'id': NET, 'network_type': 'flat', 'physical_network': None,
        'segmentation_id': None, 'mtu': 1450, 'subnets': [subnet4, subnet6],
        'ports': ports,
        'dhcp_port': {'id': DHCP_PORT, 'mac_address': 'fa:16:3e:00:00:02',
                      'fixed_ips': [{'subnet_id': SUBNET4, 'ip_address': '10.97.3.2'}]}}]})
    net = state['networks'][0]
    assert [s['id'] for s in net['subnets']] == [SUBNET4]   # the v6 subnet's gateway is bad
    assert [p['id'] for p in net['ports']] == [GOOD_PORT]
    hosts = dnsmasq_config.hosts_file(net)
    opts = dnsmasq_config.opts_file(net)
    assert hosts == 'fa:16:3e:00:00:05,host-10-97-3-5,10.97.3.5\n'
    assert 'tag:subnet-%s,option:dns-server,192.0.2.53' % SUBNET4 in opts.splitlines()
    assert '6.6.6.6' not in opts and '%' not in opts and '10.97.3.9' not in opts


def test_writers_refuse_lines_with_control_characters_whatever_they_are_given(monkeypatch,
                                                                              caplog):
    caplog.set_level(logging.ERROR)
    text = iptables.render('filter', {'cs-x': ['-s 10.0.0.1/32 -j RETURN',
                                               '-s 10.0.0.2/32' + INJECT + ' -j RETURN']}, [])
    assert text == '*filter\n:cs-x - [0:0]\n-A cs-x -s 10.0.0.1/32 -j RETURN\nCOMMIT\n'
    hosts = dnsmasq_config.hosts_file({'subnets': [
        {'id': 's', 'cidr': '10.0.0.0/24', 'ip_version': 4, 'enable_dhcp': True}], 'ports': [
        {'id': 'p', 'mac_address': 'fa:16:3e:00:00:01\ndhcp-host=x',
         'fixed_ips': [{'subnet_id': 's', 'ip_address': '10.0.0.5'}]}]})
    assert hosts == ''
    calls = []
    monkeypatch.setattr(ipset, 'execute', lambda cmd, **kw: calls.append((cmd, kw)) or '')
    ipset.sync('cs4-x', {'10.0.0.1', '10.0.0.2\nflush cs4-y'})
    restore = [kw['input'] for cmd, kw in calls if cmd == ['ipset', 'restore']][0]
    assert 'add cs4-x-new 10.0.0.1 -exist' in restore and 'flush cs4-y' not in restore
    calls.clear()
    monkeypatch.setattr(ebtables, 'execute', lambda cmd, **kw: calls.append(cmd) or '')
    ebtables.EbtablesManager('cs-').apply(
        {'cs-a-x': ['-p ARP --arp-ip-src 10.0.0.1 -j RETURN',
                    '-p ARP --arp-ip-src 10.0.0.2\n-j ACCEPT', '-j DROP']}, [])
    added = [c for c in calls if c[:2] == ['ebtables', '-A']]
    assert [c[3:] for c in added] == [['-p', 'ARP', '--arp-ip-src', '10.0.0.1', '-j',
                                       'RETURN'], ['-j', 'DROP']]
    assert caplog.text.count('refusing to write') == 4


class _Plugin:
    def __init__(self, state):
        self.state = state

    def get_host_state(self, ctx, host, agent_type):
        return self.state


class _RecordingAgent(agent_mod.Agent):
    agent_type = 'test agent'
    binary = 'network-test-agent'

    def converge(self, state):
        self.seen = state


def test_every_agent_converges_on_the_screened_state():
    conf = type('Conf', (), {'host': 'h1', 'report_interval': 10})()
    agent = _RecordingAgent(conf, plugin_api=_Plugin(bridge_state()))
    assert agent.sync_once()
    assert [p['id'] for p in agent.seen['ports']] == [GOOD_PORT]
    assert agent.seen['skipped_ports'] == [BAD_PORT]


def test_bridge_agent_keeps_a_skipped_ports_tap_down(monkeypatch):
    downs = []
    monkeypatch.setattr(bridge_datapath.ip_lib, 'link_exists', lambda name: True)
    monkeypatch.setattr(bridge_datapath.ip_lib, 'set_down', downs.append)
    dp = bridge_datapath.BridgeDatapath({})
    monkeypatch.setattr(dp, '_firewall', lambda ports: None)
    monkeypatch.setattr(dp, '_remove_stale_bridges', lambda wanted: None)
    dp.converge({'networks': [], 'ports': [], 'skipped_ports': [BAD_PORT]})
    assert downs == ['tap' + BAD_PORT[:11]]


def test_dnsmasq_files_stay_readable_for_dnsmasq_whatever_the_umask(tmp_path):
    old = os.umask(0o077)
    try:
        dp = dhcp_datapath.DhcpDatapath(str(tmp_path / 'dhcp-agent'), {})
        dp._ensure_dirs(NET)
        path = os.path.join(dp._paths(NET)['hosts'])
        assert dhcp_datapath._write_if_changed(path, 'x\n')
        os.chmod(path, 0o600)
        assert not dhcp_datapath._write_if_changed(path, 'x\n')
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
    for directory in (tmp_path / 'dhcp-agent', tmp_path / 'dhcp-agent' / 'dhcp',
                      tmp_path / 'dhcp-agent' / 'dhcp' / NET):
        assert stat.S_IMODE(os.stat(directory).st_mode) == 0o711


@pytest.mark.parametrize('value', ['fd77::1%a', '10.0.0.1\n', '10.0.0.1 ', '1.2.3', '::g'])
def test_screen_refuses_every_spelling_that_is_not_an_address(value):
    state = screen.screen_state({'ports': [dict(bridge_state()['ports'][0], fixed_ips=[
        {'subnet_id': SUBNET4, 'ip_address': value}], allowed_address_pairs=[],
        security_group_rules=[])]})
    assert state['ports'][0]['fixed_ips'] == []
