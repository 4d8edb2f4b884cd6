"""The metadata documents of a server, in OpenStack and EC2 formats.

One builder for both places a guest reads them: the config drive (compute/drivers/libvirt/
configdrive.py) and the metadata service (compute-metadata).  Input is the driver's plain
data (compute.drivers.base.Instance and its VIFs); output is JSON-able dicts and the file
tree of a config drive.
"""
import base64
import ipaddress
import json
import os

# OpenStack metadata versions and the first version that has each document.
OPENSTACK_VERSIONS = ('2012-08-10', '2013-04-04', '2013-10-17', '2015-10-15', '2016-06-30',
                      '2016-10-06', '2017-02-22', '2018-08-27', 'latest')
_FIRST_VERSION = {'meta_data.json': '2012-08-10', 'user_data': '2012-08-10',
                  'vendor_data.json': '2013-10-17', 'network_data.json': '2015-10-15',
                  'vendor_data2.json': '2016-10-06'}
EC2_VERSIONS = ('2009-04-04', 'latest')


def _since(version, document):
    first = _FIRST_VERSION[document]
    return version == 'latest' or version >= first


class InstanceMetadata:
    """Documents of ``instance`` (base.Instance) with ``network_info`` ([base.VIF])."""

    def __init__(self, instance, network_info=(), dhcp_domain='novalocal',
                 admin_password=None, floating_ips=(), random_seed=None, devices=None):
        self.instance = instance
        self.network_info = list(network_info)
        self.dhcp_domain = dhcp_domain
        self.admin_password = admin_password
        self.floating_ips = list(floating_ips)
        self.random_seed = random_seed if random_seed is not None else os.urandom(512)
        self.devices = devices or {}

    @property
    def fqdn(self):
        """The server's hostname (the API gives every server one) in the DHCP domain:
        Nova's meta_data ``hostname`` and EC2's ``hostname``/``local-hostname``."""
        short = self.instance.hostname or self.instance.name
        return '%s.%s' % (short, self.dhcp_domain) if self.dhcp_domain else short

    def meta_data(self, version='latest'):
        inst = self.instance
        keys = sorted(inst.public_keys.items())
        data = {
            'uuid': inst.uuid,
            'name': inst.display_name,
            'hostname': self.fqdn,
            'launch_index': inst.launch_index,
            'availability_zone': inst.availability_zone,
            'project_id': inst.project_id,
            'meta': dict(inst.metadata),
            'public_keys': dict(keys),
        }
        if version == 'latest' or version >= '2013-04-04':
            data['keys'] = [{'name': name, 'type': 'ssh', 'data': key} for name, key in keys]
            data['random_seed'] = base64.b64encode(self.random_seed).decode('ascii')
        if version == 'latest' or version >= '2016-06-30':
            data['devices'] = []
        if version == 'latest' or version >= '2018-08-27':
            data['dedicated_cpus'] = []
        if self.admin_password:
            data['admin_pass'] = self.admin_password
        return data

    def network_data(self):
        """network_data.json: links (one per port), networks (per address), DNS services."""
        links, networks, services = [], [], []
        for vif in self.network_info:
            links.append({'id': vif.tap_name, 'vif_id': vif.port_id, 'type': vif.vif_type,
                          'mtu': vif.mtu, 'ethernet_mac_address': vif.mac})
            for ip in vif.fixed_ips:
                net = {'id': 'network%d' % len(networks), 'link': vif.tap_name,
                       'network_id': vif.network_id}
                if ip.enable_dhcp:
                    net['type'] = 'ipv4_dhcp' if ip.version == 4 else 'ipv6_dhcpv6-stateful'
                else:
                    net.update(_static_network(ip))
                networks.append(net)
                for ns in ip.dns_nameservers:
                    entry = {'type': 'dns', 'address': ns}
                    if entry not in services:
                        services.append(entry)
        return {'links': links, 'networks': networks, 'services': services}

    def vendor_data(self):
        return {}

    def vendor_data2(self):
        return {}

    def openstack_document(self, version, name):
        """Bytes of openstack/<version>/<name>, or None when that version lacks it."""
        if version not in OPENSTACK_VERSIONS or name not in _FIRST_VERSION:
            return None
        if not _since(version, name):
            return None
        if name == 'user_data':
            return self.instance.user_data
        doc = {'meta_data.json': lambda: self.meta_data(version),
               'network_data.json': self.network_data,
               'vendor_data.json': self.vendor_data,
               'vendor_data2.json': self.vendor_data2}[name]()
        return json.dumps(doc).encode('utf-8')

    def ec2_metadata(self):
        """The EC2 meta-data tree as a dict (the metadata service renders it as paths)."""
        inst = self.instance
        v4 = [ip.address for vif in self.network_info for ip in vif.fixed_ips
              if ip.version == 4]
        data = {
            'ami-id': _ec2_image_id(inst.image_ref),
            'ami-launch-index': inst.launch_index,
            'ami-manifest-path': 'FIXME',
            'block-device-mapping': dict({'ami': 'vda', 'root': '/dev/vda'}, **self.devices),
            'hostname': self.fqdn,
            'instance-action': 'none',
            'instance-id': inst.ec2_id,
            'instance-type': inst.flavor.name,
            'local-hostname': self.fqdn,
            'local-ipv4': v4[0] if v4 else '',
            'placement': {'availability-zone': inst.availability_zone or ''},
            'public-hostname': self.fqdn,
            'public-ipv4': self.floating_ips[0] if self.floating_ips else '',
            'reservation-id': inst.reservation_id,
            'security-groups': list(inst.security_groups),
        }
        keys = sorted(inst.public_keys.items())
        if keys:
            data['public-keys'] = {str(i): {'_name': '%d=%s' % (i, name), 'openssh-key': key}
                                   for i, (name, key) in enumerate(keys)}
        return data

    def config_drive_files(self):
        """{relative path: bytes} of a config drive (ISO 9660 labelled config-2)."""
        files = {}
        for version in OPENSTACK_VERSIONS:
            for name in _FIRST_VERSION:
                content = self.openstack_document(version, name)
                if content is not None:
                    files['openstack/%s/%s' % (version, name)] = content
        ec2 = json.dumps(self.ec2_metadata()).encode('utf-8')
        for version in EC2_VERSIONS:
            files['ec2/%s/meta-data.json' % version] = ec2
            if self.instance.user_data is not None:
                files['ec2/%s/user-data' % version] = self.instance.user_data
        return files


def _static_network(ip):
    iface = ipaddress.ip_interface('%s/%s' % (ip.address, ip.cidr.split('/')[1]
                                              if '/' in ip.cidr else 32))
    net = {'type': 'ipv4' if ip.version == 4 else 'ipv6', 'ip_address': ip.address,
           'netmask': str(iface.network.netmask) if ip.version == 4 else
           str(iface.network.prefixlen), 'routes': [], 'services': []}
    if ip.gateway:
        default = '0.0.0.0' if ip.version == 4 else '::'
        net['routes'].append({'network': default, 'netmask': default, 'gateway': ip.gateway})
    for route in ip.host_routes:
        dest = ipaddress.ip_network(route['destination'])
        net['routes'].append({'network': str(dest.network_address),
                              'netmask': str(dest.netmask), 'gateway': route['nexthop']})
    net['services'] = [{'type': 'dns', 'address': ns} for ns in ip.dns_nameservers]
    return net


def _ec2_image_id(image_ref):
    """An EC2-style image id ('ami-' + 8 hex digits) derived from the image's UUID."""
    digits = ''.join(c for c in (image_ref or '') if c in '0123456789abcdef')
    return 'ami-%s' % (digits[:8] or '00000000')
