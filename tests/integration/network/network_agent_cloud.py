"""Desired-state dicts shaped exactly as network-api's get_host_state returns them.

Not a test module: the integration tests load it to describe a small cloud (projects with
overlapping tenant subnets, routers on a shared external network, one guest port each).
"""
import ipaddress
import random
import uuid


def new_id():
    return str(uuid.uuid4())


def mac():
    return 'fa:16:3e:%02x:%02x:%02x' % tuple(random.randrange(256) for _ in range(3))


def subnet(cidr, gateway, dhcp=True):
    net = ipaddress.ip_network(cidr)
    return {'id': new_id(), 'cidr': cidr, 'ip_version': net.version, 'gateway_ip': gateway,
            'enable_dhcp': dhcp, 'dns_nameservers': [], 'host_routes': [],
            'allocation_pools': [], 'ipv6_address_mode': None, 'ipv6_ra_mode': None}


def port(network, sub, ip, owner='compute:nova', device_id=None):
    return {'id': new_id(), 'mac_address': mac(), 'network_id': network['id'],
            'fixed_ips': [{'subnet_id': sub['id'], 'ip_address': ip}],
            'device_owner': owner, 'device_id': device_id or new_id(),
            'admin_state_up': True, 'port_security_enabled': True,
            'allowed_address_pairs': [], 'project_id': new_id()}


def default_group_rules(member_ips, group_id):
    """The rules of a fresh 'default' security group, remote groups resolved."""
    return [
        {'direction': 'egress', 'ethertype': 'IPv4', 'protocol': None, 'port_range_min': None,
         'port_range_max': None, 'remote_ip_prefix': None, 'remote_group_id': None,
         'remote_ips': []},
        {'direction': 'egress', 'ethertype': 'IPv6', 'protocol': None, 'port_range_min': None,
         'port_range_max': None, 'remote_ip_prefix': None, 'remote_group_id': None,
         'remote_ips': []},
        {'direction': 'ingress', 'ethertype': 'IPv4', 'protocol': None, 'port_range_min': None,
         'port_range_max': None, 'remote_ip_prefix': None, 'remote_group_id': group_id,
         'remote_ips': list(member_ips)},
    ]


def tcp_rule(port_number, prefix='0.0.0.0/0'):
    return {'direction': 'ingress', 'ethertype': 'IPv4', 'protocol': 'tcp',
            'port_range_min': port_number, 'port_range_max': port_number,
            'remote_ip_prefix': prefix, 'remote_group_id': None, 'remote_ips': []}


class Project:
    """One tenant: network + subnet, DHCP port, router (interface, gateway, floating IP), VM."""

    def __init__(self, cloud, index, cidr='10.97.1.0/24'):
        hosts = list(ipaddress.ip_network(cidr).hosts())
        self.network = {'id': new_id(), 'network_type': 'local', 'physical_network': None,
                        'segmentation_id': None, 'mtu': 1500}
        self.subnet = subnet(cidr, str(hosts[0]))
        self.dhcp_port = port(self.network, self.subnet, str(hosts[1]), 'network:dhcp')
        self.vm_port = port(self.network, self.subnet, str(hosts[9 + index]))
        self.vm_port['tap_name'] = 'tap' + self.vm_port['id'][:11]
        self.group_id = new_id()
        self.extra_rules = []
        self.router_id = new_id()
        self.router_port = port(self.network, self.subnet, str(hosts[0]),
                                'network:router_interface', self.router_id)
        ext = cloud.ext_hosts
        self.gw_port = port(cloud.ext_network, cloud.ext_subnet, str(ext[9 + index]),
                            'network:router_gateway', self.router_id)
        self.floating_ip = str(ext[19 + index])
        self.cloud = cloud

    @property
    def vm_ip(self):
        return self.vm_port['fixed_ips'][0]['ip_address']

    def bridge_port(self):
        p = dict(self.vm_port)
        p['security_group_ids'] = [self.group_id]
        p['security_group_rules'] = default_group_rules([self.vm_ip], self.group_id) + \
            self.extra_rules
        return p

    def dhcp_network(self):
        net = dict(self.network, subnets=[self.subnet])
        net['ports'] = [{k: p[k] for k in ('id', 'mac_address', 'fixed_ips', 'device_owner')}
                        for p in (self.dhcp_port, self.router_port, self.vm_port)]
        net['dhcp_port'] = {k: self.dhcp_port[k] for k in ('id', 'mac_address', 'fixed_ips')}
        return net

    def router(self):
        def with_net(p, network, subnets):
            return dict({k: p[k] for k in ('id', 'mac_address', 'fixed_ips', 'network_id')},
                        subnets=subnets, network=network)
        return {'id': self.router_id, 'admin_state_up': True, 'enable_snat': True,
                'gw_port': with_net(self.gw_port, self.cloud.ext_network,
                                    [self.cloud.ext_subnet]),
                'interfaces': [with_net(self.router_port, self.network, [self.subnet])],
                'floating_ips': [{'id': new_id(), 'floating_ip_address': self.floating_ip,
                                  'fixed_ip_address': self.vm_ip,
                                  'port_id': self.vm_port['id']}] if self.floating_ip else [],
                'routes': []}


class Cloud:
    def __init__(self, physnet='physext', ext_cidr='198.51.100.0/24'):
        self.ext_hosts = list(ipaddress.ip_network(ext_cidr).hosts())
        self.ext_network = {'id': new_id(), 'network_type': 'flat', 'physical_network': physnet,
                            'segmentation_id': None, 'mtu': 1500}
        self.ext_subnet = subnet(ext_cidr, str(self.ext_hosts[0]), dhcp=False)
        self.projects = []

    def add_project(self, cidr='10.97.1.0/24', floating=True):
        project = Project(self, len(self.projects), cidr)
        if not floating:
            project.floating_ip = None
        self.projects.append(project)
        return project

    def bridge_state(self):
        return {'networks': [p.network for p in self.projects],
                'ports': [p.bridge_port() for p in self.projects]}

    def dhcp_state(self):
        return {'networks': [p.dhcp_network() for p in self.projects]}

    def l3_state(self):
        return {'routers': [p.router() for p in self.projects],
                'external_networks': [dict(self.ext_network, subnets=[self.ext_subnet])]}

    def ports_by_ip(self, network_id, ip):
        """What get_ports_by_ip answers."""
        found = []
        for p in self.projects:
            for candidate in (p.vm_port, p.dhcp_port, p.router_port):
                if candidate['network_id'] == network_id and any(
                        f['ip_address'] == ip for f in candidate['fixed_ips']):
                    found.append({k: candidate[k] for k in (
                        'id', 'device_id', 'device_owner', 'project_id', 'network_id',
                        'mac_address')})
        return found
