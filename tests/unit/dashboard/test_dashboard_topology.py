"""The topology drawing's layout: a band per network, a box per router and server, a
link from each box to each network it has a port on (a router's gateway included)."""
from dashboard.views import topology


def test_links_follow_ports_and_gateways():
    networks = [{'id': 'priv', 'name': 'private'},
                {'id': 'pub', 'name': 'public', 'router:external': True},
                {'id': 'other', 'name': 'other'}]
    routers = [{'id': 'r1', 'name': 'router1',
                'external_gateway_info': {'network_id': 'pub'}}]
    servers = [{'id': 's1', 'name': 'web'}, {'id': 's2', 'name': 'db'}]
    ports = [{'device_id': 'r1', 'network_id': 'priv'},
             {'device_id': 's1', 'network_id': 'priv'},
             {'device_id': 's1', 'network_id': 'other'},
             {'device_id': 's2', 'network_id': 'not-visible'}]
    topo = topology.layout(networks, routers, servers, ports)
    bands = {b['id']: b for b in topo['bands']}
    assert [b['name'] for b in topo['bands']] == ['public', 'other', 'private']
    boxes = {d['id']: d for d in topo['devices']}
    assert [d['kind'] for d in topo['devices']] == ['router', 'server', 'server']

    def ends(dev):
        center = boxes[dev]['x'] + topo['box_w'] // 2
        return sorted(l['y2'] for l in topo['links'] if l['x'] == center)

    assert ends('r1') == sorted([bands['pub']['y'], bands['priv']['y']])
    assert ends('s1') == sorted([bands['priv']['y'], bands['other']['y']])
    assert ends('s2') == []
    assert not topo['truncated']


def test_large_projects_are_cut_and_say_so():
    servers = [{'id': 's%d' % i, 'name': 'n'} for i in range(topology.MAX_DEVICES + 5)]
    topo = topology.layout([], [], servers, [])
    assert len(topo['devices']) == topology.MAX_DEVICES and topo['truncated']
