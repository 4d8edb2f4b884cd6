"""Which dnsmasq leases the DHCP agent releases when a network's host list changes, and how
(dhcp_release while dnsmasq runs; a pruned lease file and a restart without dnsmasq-utils)."""
import os

import pytest

from network.agents.dhcp import datapath as dhcp_datapath
from network.agents.dhcp import dnsmasq_config
from network.agents.dhcp import leases

NET = '11111111-2222-3333-4444-555555555555'
DHCP_PORT = 'dddddddd-0000-0000-0000-000000000000'
MAC_A, MAC_B, MAC_C = 'fa:16:3e:00:00:0a', 'fa:16:3e:00:00:0b', 'fa:16:3e:00:00:0c'
SERVER_DUID = '00:01:00:01:2c:6a:1b:3e:fa:16:3e:00:00:02'
CLIENT_DUID = '00:03:00:01:fa:16:3e:00:00:0a'

LEASE_FILE = (
    '1800000000 %s 10.97.3.5 host-a 01:%s\n'
    '1800000000 %s 10.97.3.7 * *\n'
    'duid %s\n'
    '1800000000 305419896 fd00:97::5 host-a %s\n' % (MAC_A, MAC_A, MAC_C, SERVER_DUID,
                                                      CLIENT_DUID))


def network(*ports):
    """A network with a v4 and a DHCPv6-stateful subnet; ports are (id, mac, [ips])."""
    subnets = [
        {'id': 's4', 'cidr': '10.97.3.0/24', 'ip_version': 4, 'gateway_ip': '10.97.3.1',
         'enable_dhcp': True, 'dns_nameservers': [], 'host_routes': [],
         'ipv6_address_mode': None, 'ipv6_ra_mode': None},
        {'id': 's6', 'cidr': 'fd00:97::/64', 'ip_version': 6, 'gateway_ip': 'fd00:97::1',
         'enable_dhcp': True, 'dns_nameservers': [], 'host_routes': [],
         'ipv6_address_mode': 'dhcpv6-stateful', 'ipv6_ra_mode': 'dhcpv6-stateful'}]
    return {'id': NET, 'mtu': 1500, 'subnets': subnets, 'ports': [
        {'id': port_id, 'mac_address': mac, 'device_owner': 'compute:nova',
         'fixed_ips': [{'subnet_id': 's4' if ':' not in ip else 's6', 'ip_address': ip}
                       for ip in ips]}
        for port_id, mac, ips in ports],
        'dhcp_port': {'id': DHCP_PORT, 'mac_address': 'fa:16:3e:00:00:02',
                      'fixed_ips': [{'subnet_id': 's4', 'ip_address': '10.97.3.2'}]}}


PORT_A = ('a', MAC_A, ['10.97.3.5', 'fd00:97::5'])
PORT_C = ('c', MAC_C, ['10.97.3.7'])


def released(before, after, text=LEASE_FILE):
    """The IPs whose leases go when the host list changes from ``before`` to ``after``."""
    old = leases.parse_hosts(dnsmasq_config.hosts_file(before))
    return sorted(lease.ip for lease in leases.stale(
        leases.parse(text), old, dnsmasq_config.host_bindings(after)))


def test_parse_reads_v4_and_v6_leases_with_their_client_ids():
    parsed = leases.parse(LEASE_FILE)
    assert [(lease.ip, lease.mac, lease.client_id) for lease in parsed.v4] == [
        ('10.97.3.5', MAC_A, '01:' + MAC_A), ('10.97.3.7', MAC_C, '*')]
    assert [(lease.ip, lease.iaid, lease.client_id) for lease in parsed.v6] == [
        ('fd00:97::5', '305419896', CLIENT_DUID)]
    assert parsed.server_duid == SERVER_DUID


@pytest.mark.parametrize('line,expected', [
    # A client id that is not hex bytes is left out; the lease is still released.
    ('1800000000 %s 10.97.3.9 h 01:zz' % MAC_A, ['dhcp_release', 'ns-x', '10.97.3.9', MAC_A]),
    ('1800000000 %s 10.97.3.9 h -x' % MAC_A, ['dhcp_release', 'ns-x', '10.97.3.9', MAC_A]),
    # A value that does not parse: no command (the lease leaves the file instead).
    ('1800000000 %s 10.97.3.999 h *' % MAC_A, None),
    ('1800000000 ff:ff:ff:ff:ff:ff 10.97.3.9 h *', None),
    ('1800000000 --help 10.97.3.9 h *', None),
    ('1800000000 -1 fd00:97::9 h %s' % CLIENT_DUID, None),
    ('1800000000 7 fd00:97::9 h *', None),
    ('1800000000 7 fd00:97::9%%ns-x h %s' % CLIENT_DUID, None),
])
def test_release_command_never_passes_on_a_malformed_value(line, expected):
    parsed = leases.parse(line + '\n')
    lease, = parsed.v4 + parsed.v6
    assert leases.release_command(lease, 'ns-x', SERVER_DUID) == expected


def test_lines_that_are_no_lease_are_not_leases():
    parsed = leases.parse('1800000000 %s 10.97.3.9 host x y\n\nduid\n' % MAC_A)
    assert parsed == leases.LeaseFile([], [], None)


def test_unchanged_host_list_releases_nothing():
    net = network(PORT_A, PORT_C)
    assert released(net, net) == []


def test_deleted_port_releases_all_its_leases():
    assert released(network(PORT_A, PORT_C), network(PORT_C)) == ['10.97.3.5', 'fd00:97::5']


def test_same_ip_on_a_new_mac_releases_the_old_macs_leases():
    # A server deleted, another booted on a new port that got the same fixed IPs.
    port_b = ('b', MAC_B, ['10.97.3.5', 'fd00:97::5'])
    assert released(network(PORT_A, PORT_C), network(port_b, PORT_C)) == [
        '10.97.3.5', 'fd00:97::5']


def test_changed_address_releases_the_old_address_only():
    moved = ('a', MAC_A, ['10.97.3.6', 'fd00:97::5'])
    assert released(network(PORT_A, PORT_C), network(moved, PORT_C)) == ['10.97.3.5']


def test_leases_left_by_a_previous_agent_run_are_released_too():
    # The hosts file was already rewritten (an agent stopped after it): the v4 lease still
    # names a MAC that no port has.
    net = network(PORT_C)
    assert released(net, net) == ['10.97.3.5', 'fd00:97::5']


def test_release_commands_name_the_lease_as_dnsmasq_holds_it():
    parsed = leases.parse(LEASE_FILE)
    first, second = parsed.v4
    assert leases.release_command(first, 'ns-x') == [
        'dhcp_release', 'ns-x', '10.97.3.5', MAC_A, '01:' + MAC_A]
    assert leases.release_command(second, 'ns-x') == ['dhcp_release', 'ns-x', '10.97.3.7',
                                                      MAC_C]
    assert leases.release_command(parsed.v6[0], 'ns-x', SERVER_DUID) == [
        'dhcp_release6', '--iface', 'ns-x', '--ip', 'fd00:97::5', '--iaid', '305419896',
        '--client-id', CLIENT_DUID, '--server-id', SERVER_DUID]
    assert leases.release_command(parsed.v6[0], 'ns-x', None) is None
    assert leases.release_command(parsed.v6[0], 'ns-x', '--help') is None


class _Dnsmasq:
    """Stands in for the dnsmasq ManagedProcess."""

    def __init__(self, running):
        self.running, self.calls = running, []

    @property
    def pid(self):
        return 4242 if self.running else None

    def ensure(self, cmd):
        self.calls.append('start' if not self.running else 'keep')
        started, self.running = not self.running, True
        return started

    def signal(self, signum):
        self.calls.append('hup')

    def stop(self):
        self.calls.append('stop')
        self.running = False


@pytest.fixture
def datapath(tmp_path, monkeypatch):
    dp = dhcp_datapath.DhcpDatapath(str(tmp_path), {})
    proc = _Dnsmasq(running=True)
    commands = []
    monkeypatch.setattr(dp, '_dnsmasq', lambda network_id: proc)
    monkeypatch.setattr(dhcp_datapath, 'execute',
                        lambda cmd, namespace=None: commands.append((namespace, cmd)))
    monkeypatch.setattr(dhcp_datapath, 'have_tool', lambda binary: True)
    dp._dnsmasq_converge(network(PORT_A, PORT_C), 'ns-dddddddd-00')
    with open(dp._paths(NET)['leases'], 'w') as handle:
        handle.write(LEASE_FILE)
    proc.calls.clear()
    return dp, proc, commands


def test_converge_releases_a_deleted_ports_leases_through_dnsmasq(datapath):
    dp, proc, commands = datapath
    port_b = ('b', MAC_B, ['10.97.3.5', 'fd00:97::5'])
    dp._dnsmasq_converge(network(port_b, PORT_C), 'ns-dddddddd-00')
    # The new host list is in force (SIGHUP) before the old MAC's leases are released.
    assert proc.calls == ['keep', 'hup']
    assert commands == [
        ('qdhcp-' + NET, ['dhcp_release', 'ns-dddddddd-00', '10.97.3.5', MAC_A,
                          '01:' + MAC_A]),
        ('qdhcp-' + NET, ['dhcp_release6', '--iface', 'ns-dddddddd-00', '--ip', 'fd00:97::5',
                          '--iaid', '305419896', '--client-id', CLIENT_DUID,
                          '--server-id', SERVER_DUID])]
    # Nothing changed since: the 10,000 leases of a big network are not read again.
    commands.clear()
    dp._dnsmasq_converge(network(port_b, PORT_C), 'ns-dddddddd-00')
    assert commands == []


def test_a_failed_release_is_tried_again_and_a_restarted_agent_checks_once(
        datapath, monkeypatch):
    dp, proc, commands = datapath

    def fail(cmd, namespace=None):
        commands.append((namespace, cmd))
        raise dhcp_datapath.CommandError(cmd, 1, '', 'sendto failed')
    monkeypatch.setattr(dhcp_datapath, 'execute', fail)
    dp._dnsmasq_converge(network(PORT_C), 'ns-dddddddd-00')
    assert len(commands) == 2
    commands.clear()
    monkeypatch.setattr(dhcp_datapath, 'execute',
                        lambda cmd, namespace=None: commands.append((namespace, cmd)))
    dp._dnsmasq_converge(network(PORT_C), 'ns-dddddddd-00')
    assert [cmd[2] for _ns, cmd in commands] == ['10.97.3.5', 'ns-dddddddd-00']
    # A new agent process (hosts file already current, dnsmasq running) checks once: the
    # leases of the deleted port (still in this stand-in's file) are released once.
    commands.clear()
    fresh = dhcp_datapath.DhcpDatapath(dp.state_dir, {})
    monkeypatch.setattr(fresh, '_dnsmasq', lambda network_id: proc)
    fresh._dnsmasq_converge(network(PORT_C), 'ns-dddddddd-00')
    fresh._dnsmasq_converge(network(PORT_C), 'ns-dddddddd-00')
    assert [cmd[0] for _ns, cmd in commands] == ['dhcp_release', 'dhcp_release6']


def test_without_dnsmasq_utils_the_lease_file_is_pruned_and_dnsmasq_restarted(
        datapath, monkeypatch):
    dp, proc, commands = datapath
    monkeypatch.setattr(dhcp_datapath, 'have_tool', lambda binary: False)
    dp._dnsmasq_converge(network(PORT_C), 'ns-dddddddd-00')
    # SIGHUP does not reread the lease file: only a stop and a start drop the lease.
    assert proc.calls == ['stop', 'start']
    assert commands == []
    with open(dp._paths(NET)['leases']) as handle:
        assert handle.read() == '1800000000 %s 10.97.3.7 * *\nduid %s\n' % (MAC_C, SERVER_DUID)


def test_a_dnsmasq_that_is_not_running_starts_on_a_pruned_lease_file(datapath):
    dp, proc, commands = datapath
    proc.running = False
    dp._dnsmasq_converge(network(PORT_C), 'ns-dddddddd-00')
    assert proc.calls == ['start'] and commands == []
    assert MAC_A not in open(dp._paths(NET)['leases']).read()
    assert os.path.exists(dp._paths(NET)['hosts'])
