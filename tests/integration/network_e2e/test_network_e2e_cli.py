"""The ``openstack`` CLI against identity + network-api + agents: bad input answered with
clear 4xx (criterion 5), the resource commands the data-path tests do not use (criterion 6),
and the agents removing the namespaces and bridges of deleted routers and networks."""
import json
import os
import subprocess
import sys

import openstack.exceptions as sdk_exc
import pytest
from network_e2e_conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


def ns_exists(name):
    return os.path.exists('/run/netns/' + name)


def network_cli(cloud, *args, user='demo'):
    """The project's own ``network`` CLI, authenticated by identity, endpoint from the catalog."""
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env.update(cloud.identity.os_env(user))
    return subprocess.run([sys.executable, '-m', 'network.cli', '-f', 'json'] + list(args),
                          env=env, capture_output=True, text=True, timeout=60)


def test_bad_input_gets_clear_4xx_through_the_cli(cloud):
    s = cloud.suffix
    demo, admin = cloud.sdk('demo'), cloud.sdk('admin')
    net = demo.network.create_network(name='wnet-' + s)
    cloud.net_ids.add(net.id)
    sub = demo.network.create_subnet(network_id=net.id, cidr='10.66.0.0/24', ip_version=4)
    demo.network.create_port(network_id=net.id, fixed_ips=[
        {'subnet_id': sub.id, 'ip_address': '10.66.0.20'}])
    admin_net = admin.network.create_network(name='wadm-' + s)
    cloud.net_ids.add(admin_net.id)
    admin_sub = admin.network.create_subnet(network_id=admin_net.id, cidr='10.66.0.0/24',
                                            ip_version=4)
    subnet = ('subnet', 'create', '--network', net.id, '--subnet-range')
    fixed = ('port', 'create', '--network', net.id, '--fixed-ip')
    walk = [  # (user, args, words the error must carry)
        ('demo', subnet + ('10.66.1.300/24', 'w1'), ['400', 'cidr']),
        ('demo', subnet + ('10.66.1.7/24', 'w2'), ['400', '10.66.1.0/24']),
        ('demo', subnet + ('10.66.1.0/24', '--allocation-pool',
                           'start=10.66.1.10,end=10.66.1.50', '--allocation-pool',
                           'start=10.66.1.40,end=10.66.1.60', 'w3'), ['409', 'overlapping']),
        ('demo', subnet + ('10.66.1.0/24', '--allocation-pool',
                           'start=10.66.2.5,end=10.66.2.9', 'w4'), ['400', '10.66.2.5']),
        ('demo', subnet + ('10.66.0.0/25', 'w5'), ['400', '10.66.0.0/24']),
        ('demo', fixed + ('subnet=%s,ip-address=10.99.0.5' % sub.id, 'w6'),
         ['400', '10.99.0.5']),
        ('demo', fixed + ('subnet=%s,ip-address=10.66.0.20' % sub.id, 'w7'),
         ['409', '10.66.0.20']),
        ('demo', ('floating', 'ip', 'create', net.id), ['400', 'external']),
        ('demo', ('network', 'create', '--provider-network-type', 'flat',
                  '--provider-physical-network', 'physext', 'w8'), ['403']),
        # Foreign networks: admin's private network does not exist for demo.
        ('demo', ('network', 'show', admin_net.id), ['No Network found']),
        ('demo', ('port', 'create', '--network', admin_net.id, 'w9'), ['No Network found']),
    ]
    errors = cloud.osc_failures([(user, args) for user, args, _ in walk])
    for (_, args, words), err in zip(walk, errors):
        for word in words:
            assert word in err, 'openstack %s: %r not in %s' % (' '.join(args), word, err)
    # The same through the API, where the client cannot look the network up first.
    with pytest.raises(sdk_exc.NotFoundException):
        demo.network.create_port(network_id=admin_net.id)
    router = demo.network.create_router(name='wr-' + s)
    cloud.router_ids.add(router.id)
    with pytest.raises(sdk_exc.NotFoundException):
        demo.network.add_interface_to_router(router, subnet_id=admin_sub.id)
    with pytest.raises(sdk_exc.BadRequestException, match='invalid subnet'):
        demo.network.create_port(network_id=net.id, fixed_ips=[{'subnet_id': admin_sub.id}])
    demo.network.delete_router(router)
    for port in demo.network.ports(network_id=net.id, device_owner='compute:nova'):
        demo.network.delete_port(port)


def test_resource_commands_and_agents_follow_deletes(cloud):
    s = cloud.suffix
    admin, demo = cloud.sdk('admin'), cloud.sdk('demo')
    ext = admin.network.create_network(name='cext-' + s, is_router_external=True)
    cloud.net_ids.add(ext.id)
    admin.network.create_subnet(network_id=ext.id, cidr='203.0.113.0/24', ip_version=4,
                                is_dhcp_enabled=False)
    net = demo.network.create_network(name='cnet-' + s)
    cloud.net_ids.add(net.id)
    sub = demo.network.create_subnet(network_id=net.id, cidr='10.67.0.0/24', ip_version=4)
    router = demo.network.create_router(name='cr-' + s,
                                        external_gateway_info={'network_id': ext.id})
    cloud.router_ids.add(router.id)
    demo.network.add_interface_to_router(router, subnet_id=sub.id)

    cloud.osc('network', 'set', '--name', 'cnet2-' + s, net.id, user='demo')
    assert cloud.osc('network', 'show', 'cnet2-' + s, user='demo')['id'] == net.id
    assert [x['ID'] for x in cloud.osc('subnet', 'list', '--network', net.id,
                                       user='demo')] == [sub.id]
    sg = cloud.osc('security', 'group', 'create', 'csg-' + s, user='demo')
    rule = cloud.osc('security', 'group', 'rule', 'create', '--protocol', 'udp',
                     '--dst-port', '53:54', '--remote-ip', '10.0.0.0/8', sg['id'], user='demo')
    assert (rule['port_range_min'], rule['port_range_max']) == (53, 54)
    port = cloud.osc('port', 'create', '--network', net.id, '--security-group', sg['id'],
                     'cp-' + s, user='demo')
    assert port['security_group_ids'] == [sg['id']]
    assert port['id'] in [p['ID'] for p in cloud.osc('port', 'list', '--network', net.id,
                                                     user='demo')]
    fip = cloud.osc('floating', 'ip', 'create', '--port', port['id'], ext.id, user='demo')
    assert fip['fixed_ip_address'] == port['fixed_ips'][0]['ip_address']
    cloud.osc('floating', 'ip', 'unset', '--port', fip['id'], user='demo')
    assert [(f['ID'], f['Port']) for f in cloud.osc('floating', 'ip', 'list', user='demo')] \
        == [(fip['id'], None)]
    proc = network_cli(cloud, 'subnet', 'show', sub.id)
    assert proc.returncode == 0 and json.loads(proc.stdout)['cidr'] == '10.67.0.0/24', proc.stderr
    proc = network_cli(cloud, 'subnet', 'create', 'bad', '--network', net.id, '--cidr',
                       '10.68.0.7/24')
    assert proc.returncode == 1 and '400' in proc.stderr and '10.68.0.0/24' in proc.stderr, \
        proc.stderr
    wait_for(lambda: ns_exists('qrouter-' + router.id), 30, 'router namespace created',
             log=lambda: cloud.logs('l3'))
    wait_for(lambda: ns_exists('qdhcp-' + net.id), 30, 'DHCP namespace created',
             log=lambda: cloud.logs('dhcp'))

    cloud.osc('floating', 'ip', 'delete', fip['id'], user='demo')
    cloud.osc('port', 'delete', port['id'], user='demo')
    cloud.osc('security', 'group', 'delete', sg['id'], user='demo')
    cloud.osc('router', 'remove', 'subnet', router.id, sub.id, user='demo')
    cloud.osc('router', 'unset', '--external-gateway', router.id, user='demo')
    cloud.osc('router', 'delete', router.id, user='demo')
    cloud.osc('subnet', 'delete', sub.id, user='demo')
    cloud.osc('network', 'delete', net.id, user='demo')
    admin.network.delete_network(ext)
    wait_for(lambda: not ns_exists('qrouter-' + router.id), 30, 'router namespace removed',
             log=lambda: cloud.logs('l3'))
    wait_for(lambda: not ns_exists('qdhcp-' + net.id), 30, 'DHCP namespace removed',
             log=lambda: cloud.logs('dhcp'))
    for name in ('brq' + net.id[:11], 'brq' + ext.id[:11]):
        wait_for(lambda: not os.path.exists('/sys/class/net/' + name), 30,
                 'bridge %s removed' % name)
