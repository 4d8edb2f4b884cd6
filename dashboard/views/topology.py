"""The network topology of the project: an SVG drawn on the server from the network and
compute APIs (networks as horizontal bands, routers and servers as boxes above them, a
line from each box down to every network it has a port on)."""
from dashboard import app as app_mod

MAX_NETWORKS = 40
MAX_DEVICES = 60
BOX_W, BOX_H, GAP = 130, 34, 20
TOP, BAND_GAP, LEFT = 20, 56, 170


def layout(networks, routers, servers, ports):
    """Coordinates of every network band, device box and link (plain data for the
    template); ``ports`` give which device is on which network."""
    networks = sorted(networks, key=lambda n: (not n.get('router:external'),
                                               n.get('name') or n['id']))[:MAX_NETWORKS]
    devices = [{'id': r['id'], 'name': r.get('name') or r['id'][:8], 'kind': 'router',
                'href': '/project/routers/%s' % r['id']} for r in routers]
    devices += [{'id': s['id'], 'name': s.get('name') or s['id'][:8], 'kind': 'server',
                 'href': '/project/servers/%s' % s['id']} for s in servers]
    truncated = len(devices) > MAX_DEVICES or len(networks) == MAX_NETWORKS
    devices = devices[:MAX_DEVICES]
    band_top = TOP + BOX_H + 40
    bands = {}
    for i, net in enumerate(networks):
        bands[net['id']] = {'id': net['id'], 'name': net.get('name') or net['id'][:8],
                            'external': bool(net.get('router:external')),
                            'y': band_top + i * BAND_GAP,
                            'href': '/project/networks/%s' % net['id']}
    on = {}
    for port in ports:
        if port.get('network_id') in bands:
            on.setdefault(port.get('device_id'), set()).add(port['network_id'])
    for router in routers:
        gateway = (router.get('external_gateway_info') or {}).get('network_id')
        if gateway in bands:
            on.setdefault(router['id'], set()).add(gateway)
    links = []
    for j, dev in enumerate(devices):
        dev['x'] = LEFT + j * (BOX_W + GAP)
        dev['y'] = TOP
        center = dev['x'] + BOX_W // 2
        for net_id in sorted(on.get(dev['id'], ()), key=lambda n: bands[n]['y']):
            links.append({'x': center, 'y1': TOP + BOX_H, 'y2': bands[net_id]['y']})
    width = max(LEFT + len(devices) * (BOX_W + GAP), 600)
    height = band_top + max(len(bands), 1) * BAND_GAP
    return {'bands': list(bands.values()), 'devices': devices, 'links': links,
            'width': width, 'height': height, 'box_w': BOX_W, 'box_h': BOX_H,
            'truncated': truncated}


class Topology(app_mod.Page):
    def index(self, req):
        cloud = self.cloud(req)
        networks = cloud.get('network', '/v2.0/networks', limit=MAX_NETWORKS)['networks']
        routers = cloud.get('network', '/v2.0/routers', project_id=cloud.project_id,
                            limit=MAX_DEVICES)['routers']
        servers = cloud.get('compute', '/servers', limit=MAX_DEVICES)['servers']
        ports = cloud.get('network', '/v2.0/ports', project_id=cloud.project_id,
                          fields=['device_id', 'network_id'])['ports']
        return self.render(req, 'topology.html',
                           topo=layout(networks, routers, servers, ports))


def add_routes(add, app):
    add('/project/topology', Topology(app), {'GET': 'index'})
