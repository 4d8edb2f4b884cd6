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


PORT_ID = '5b1e9c2a-1111-4222-8333-944455556666'


def _with_port(**port_kw):
    net = network()
    port = {'id': PORT_ID, 'mac_address': 'fa:16:3e:00:00:07', 'device_owner': 'compute:x',
            'fixed_ips': [{'subnet_id': 's4', 'ip_address': '10.97.3.7'}]}
    port.update(port_kw)
    net['ports'].append(port)
    return net


def test_extra_dhcp_opts_tag_the_host_and_render_per_port():
    net = _with_port(extra_dhcp_opts=[
        {'opt_name': 'bootfile-name', 'opt_value': 'pxelinux.0', 'ip_version': 4},
        {'opt_name': '150', 'opt_value': '10.97.3.9', 'ip_version': 4},
        {'opt_name': 'bootfile-url', 'opt_value': 'tftp://[fd00::9]/x', 'ip_version': 6}])
    hosts = dnsmasq_config.hosts_file(net).splitlines()
    # ports in id order: the tagged one first
    assert hosts == ['fa:16:3e:00:00:07,set:port-%s,host-10-97-3-7,10.97.3.7' % PORT_ID,
                     'fa:16:3e:00:00:05,host-10-97-3-5,10.97.3.5']
    opts = dnsmasq_config.opts_file(net).splitlines()
    tag = 'tag:port-%s' % PORT_ID
    assert opts[-3:] == ['%s,option:bootfile-name,pxelinux.0' % tag,
                         '%s,150,10.97.3.9' % tag,
                         '%s,option6:bootfile-url,tftp://[fd00::9]/x' % tag]


def test_extra_dhcp_opts_injections_are_refused_again_by_the_writer():
    # Values that slipped past the API (or were stored before a check existed) never reach
    # the options file; a port with only bad options gets no tag either.
    net = _with_port(extra_dhcp_opts=[
        {'opt_name': 'bootfile-name', 'opt_value': 'x\ntag:subnet-s4,option:router,6.6.6.6',
         'ip_version': 4},
        {'opt_name': 'bootfile-name', 'opt_value': 'x,tag:subnet-s4', 'ip_version': 4},
        {'opt_name': 'router,tag:x', 'opt_value': '1.2.3.4', 'ip_version': 4},
        {'opt_name': 'bootfile-url', 'opt_value': 'x', 'ip_version': 4},
        {'opt_name': 'mtu', 'opt_value': 'a b', 'ip_version': 4},
        {'opt_name': 'mtu', 'opt_value': None, 'ip_version': 4},
        'not-a-dict'])
    opts = dnsmasq_config.opts_file(net)
    assert 'port-' not in opts and '6.6.6.6' not in opts
    assert 'set:' not in dnsmasq_config.hosts_file(net)
    # and a port whose id is not a UUID gets no tag made from it
    net = network()
    net['ports'][0]['id'] = 'p1,set:x'
    net['ports'][0]['extra_dhcp_opts'] = [{'opt_name': 'mtu', 'opt_value': '1400',
                                           'ip_version': 4}]
    assert 'p1' not in dnsmasq_config.opts_file(net)
    assert 'set:' not in dnsmasq_config.hosts_file(net)


def test_dns_name_is_the_dhcp_host_name():
    net = _with_port(dns_name='web-1')
    assert 'fa:16:3e:00:00:07,web-1,10.97.3.7' in dnsmasq_config.hosts_file(net).splitlines()
    assert '10.97.3.7 web-1.openstacklocal web-1' in \
        dnsmasq_config.addn_hosts_file(net, 'openstacklocal').splitlines()
    # a bad one falls back to the address's name
    for bad in ('web,1.2.3.4', 'a\nb', '-x'):
        net = _with_port(dns_name=bad)
        assert 'fa:16:3e:00:00:07,host-10-97-3-7,10.97.3.7' in \
            dnsmasq_config.hosts_file(net).splitlines()


def test_screen_leaves_out_a_bad_option_alone_and_a_port_with_a_bad_dns_name():
    from network.agents.common import screen
    good = {'opt_name': 'bootfile-name', 'opt_value': 'pxelinux.0', 'ip_version': 4}
    state = {'networks': [{'id': '5b1e9c2a-1111-4222-8333-000000000001', 'ports': [
        {'id': PORT_ID, 'mac_address': 'fa:16:3e:00:00:07', 'dns_name': 'vm',
         'extra_dhcp_opts': [good, {'opt_name': 'x,tag:y', 'opt_value': '1', 'ip_version': 4},
                             {'opt_name': 'mtu', 'opt_value': '1\n2', 'ip_version': 4}]},
        {'id': '5b1e9c2a-1111-4222-8333-944455556667', 'mac_address': 'fa:16:3e:00:00:08',
         'dns_name': 'vm,evil'}]}]}
    [net] = screen.screen_state(state)['networks']
    assert [p['id'] for p in net['ports']] == [PORT_ID]
    assert net['ports'][0]['extra_dhcp_opts'] == [good]
