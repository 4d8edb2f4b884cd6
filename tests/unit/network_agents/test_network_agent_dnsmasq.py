"""dnsmasq command line and host/option files for the DHCP agent."""
from network.agents.dhcp import dnsmasq_config


def network(**subnet_kw):
    subnet = {'id': 's4', 'cidr': '10.97.3.0/24', 'ip_version': 4, 'gateway_ip': '10.97.3.1',
              'enable_dhcp': True, 'dns_nameservers': ['192.0.2.53'],
              'host_routes': [{'destination': '10.98.0.0/16', 'nexthop': '10.97.3.254'}],
              'allocation_pools': [], 'ipv6_address_mode': None, 'ipv6_ra_mode': None}
    subnet.update(subnet_kw)
    return {'id': 'net1', 'mtu': 1450, 'subnets': [subnet],
            'ports': [{'id': 'p1', 'mac_address': 'FA:16:3E:00:00:05', 'device_owner': 'x',
                       'fixed_ips': [{'subnet_id': 's4', 'ip_address': '10.97.3.5'}]}],
            'dhcp_port': {'id': 'd1', 'mac_address': 'fa:16:3e:00:00:02',
                          'fixed_ips': [{'subnet_id': 's4', 'ip_address': '10.97.3.2'}]}}


def test_hosts_file_binds_mac_to_ip():
    assert dnsmasq_config.hosts_file(network()) == 'fa:16:3e:00:00:05,host-10-97-3-5,10.97.3.5\n'


def test_addn_hosts_file_names_every_port():
    # Its lines pass the control-character screen (a tab made it refuse each one).
    assert dnsmasq_config.addn_hosts_file(network(), 'openstacklocal') == \
        '10.97.3.5 host-10-97-3-5.openstacklocal host-10-97-3-5\n'


def test_options_router_dns_mtu_and_classless_routes_with_metadata():
    opts = dnsmasq_config.opts_file(network()).splitlines()
    assert 'tag:subnet-s4,option:router,10.97.3.1' in opts
    assert 'tag:subnet-s4,option:dns-server,192.0.2.53' in opts
    assert 'tag:subnet-s4,option:mtu,1450' in opts
    routes = '10.98.0.0/16,10.97.3.254,169.254.169.254/32,10.97.3.2,0.0.0.0/0,10.97.3.1'
    assert 'tag:subnet-s4,option:classless-static-route,%s' % routes in opts
    assert 'tag:subnet-s4,249,%s' % routes in opts


def test_no_metadata_route_without_proxy_and_no_router_without_gateway():
    opts = dnsmasq_config.opts_file(network(gateway_ip=None, host_routes=[]), metadata=False)
    assert 'tag:subnet-s4,option:router\n' in opts
    assert 'classless' not in opts


def test_command_uses_static_range_per_subnet():
    paths = {k: '/x/' + k for k in ('pid', 'hosts', 'addn_hosts', 'opts', 'leases')}
    cmd = dnsmasq_config.command(network(), paths, 'ns-d1', lease=600)
    assert '--dhcp-range=set:subnet-s4,10.97.3.0,static,255.255.255.0,600s' in cmd
    assert '--interface=ns-d1' in cmd and '--pid-file=/x/pid' in cmd
    assert '--enable-ra' not in cmd


def test_ipv6_modes():
    slaac = dict(id='s6', cidr='fd00:97::/64', ip_version=6, ipv6_address_mode='slaac')
    assert dnsmasq_config.dhcp_range(slaac, 60) == 'set:subnet-s6,fd00:97::,ra-only,64,60s'
    slaac['ipv6_address_mode'] = 'dhcpv6-stateless'
    assert 'ra-stateless' in dnsmasq_config.dhcp_range(slaac, 60)
    slaac['ipv6_address_mode'] = 'dhcpv6-stateful'
    assert dnsmasq_config.dhcp_range(slaac, 60) == 'set:subnet-s6,fd00:97::,static,64,60s'


def test_disabled_subnets_are_ignored():
    net = network(enable_dhcp=False)
    assert dnsmasq_config.hosts_file(net) == ''
    assert dnsmasq_config.opts_file(net) == ''
