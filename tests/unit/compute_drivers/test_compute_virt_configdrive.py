"""Metadata documents and the config drive ISO (read back with isoinfo/blkid)."""
import base64
import json
import os
import shutil
import subprocess

import pytest

from compute import instance_metadata
from compute.drivers import base
from compute.drivers.libvirt import configdrive

UUID = '3f0e6a4c-8f0a-4b8e-9a3c-1d2e3f4a5b6c'


def _instance(**kw):
    data = dict(uuid=UUID, name='instance-' + UUID, display_name='My Server', hostname='vm1',
                flavor=base.Flavor('f1', 'm1.nano', 1, 64, 1), project_id='p1',
                image_ref='5a0b3c7e-0000-4000-8000-000000000001',
                metadata={'role': 'web'}, public_keys={'k1': 'ssh-ed25519 AAAA k1'},
                user_data=b'#!/bin/sh\necho hi\n', availability_zone='nova',
                reservation_id='r-1', security_groups=['default'])
    data.update(kw)
    return base.Instance(**data)


def _vifs():
    return [base.VIF(port_id='0befd7eb-b3aa-4c1e-9e8f-000000000001', mac='fa:16:3e:00:00:01',
                     network_id='net-1', mtu=1450, fixed_ips=[
                         base.FixedIP(address='10.0.0.5', cidr='10.0.0.0/24',
                                      gateway='10.0.0.1', dns_nameservers=['10.0.0.2'])]),
            base.VIF(port_id='1befd7eb-b3aa-4c1e-9e8f-000000000002', mac='fa:16:3e:00:00:02',
                     network_id='net-2', fixed_ips=[
                         base.FixedIP(address='192.168.5.9', cidr='192.168.5.0/24',
                                      gateway='192.168.5.1', enable_dhcp=False,
                                      dns_nameservers=['192.168.5.2'],
                                      host_routes=[{'destination': '172.16.0.0/16',
                                                    'nexthop': '192.168.5.254'}])])]


def test_meta_data_document():
    md = instance_metadata.InstanceMetadata(_instance(), _vifs(), random_seed=b'x' * 16)
    doc = md.meta_data()
    assert doc['uuid'] == UUID and doc['name'] == 'My Server'
    assert doc['hostname'] == 'vm1.novalocal'
    assert doc['public_keys'] == {'k1': 'ssh-ed25519 AAAA k1'}
    assert doc['keys'] == [{'name': 'k1', 'type': 'ssh', 'data': 'ssh-ed25519 AAAA k1'}]
    assert doc['meta'] == {'role': 'web'} and doc['availability_zone'] == 'nova'
    assert base64.b64decode(doc['random_seed']) == b'x' * 16
    assert 'admin_pass' not in doc
    # Older versions lack what came later.
    assert 'keys' not in md.meta_data('2012-08-10')
    assert md.openstack_document('2013-04-04', 'network_data.json') is None
    assert md.openstack_document('nope', 'meta_data.json') is None


def test_network_data_document():
    nd = instance_metadata.InstanceMetadata(_instance(), _vifs()).network_data()
    assert nd['links'][0] == {'id': 'tap0befd7eb-b3', 'vif_id': _vifs()[0].port_id,
                              'type': 'bridge', 'mtu': 1450,
                              'ethernet_mac_address': 'fa:16:3e:00:00:01'}
    dhcp, static = nd['networks']
    assert dhcp['type'] == 'ipv4_dhcp' and dhcp['link'] == 'tap0befd7eb-b3'
    assert 'ip_address' not in dhcp
    assert static['type'] == 'ipv4' and static['ip_address'] == '192.168.5.9'
    assert static['netmask'] == '255.255.255.0'
    assert {'network': '0.0.0.0', 'netmask': '0.0.0.0', 'gateway': '192.168.5.1'} \
        in static['routes']
    assert {'network': '172.16.0.0', 'netmask': '255.255.0.0', 'gateway': '192.168.5.254'} \
        in static['routes']
    assert nd['services'] == [{'type': 'dns', 'address': '10.0.0.2'},
                              {'type': 'dns', 'address': '192.168.5.2'}]


def test_ec2_document():
    ec2 = instance_metadata.InstanceMetadata(_instance(), _vifs()).ec2_metadata()
    assert ec2['instance-id'] == 'i-3f0e6a4c' and ec2['ami-id'] == 'ami-5a0b3c7e'
    assert ec2['local-ipv4'] == '10.0.0.5' and ec2['instance-type'] == 'm1.nano'
    assert ec2['public-keys']['0']['openssh-key'] == 'ssh-ed25519 AAAA k1'
    assert ec2['placement'] == {'availability-zone': 'nova'}
    assert ec2['security-groups'] == ['default']


needs_iso = pytest.mark.skipif(not (shutil.which('genisoimage') and shutil.which('isoinfo')),
                               reason='needs genisoimage and isoinfo')


def _iso_file(iso, path):
    return subprocess.run(['isoinfo', '-R', '-i', iso, '-x', '/' + path], check=True,
                          capture_output=True).stdout


@needs_iso
def test_config_drive_iso(tmp_path):
    md = instance_metadata.InstanceMetadata(_instance(), _vifs())
    iso = str(tmp_path / 'disk.config')
    configdrive.build(iso, md.config_drive_files())
    assert oct(os.stat(iso).st_mode & 0o777) == '0o600'
    label = subprocess.run(['blkid', '-p', '-o', 'value', '-s', 'LABEL', iso],
                           capture_output=True, text=True).stdout.strip()
    assert label == 'config-2'
    meta = json.loads(_iso_file(iso, 'openstack/latest/meta_data.json'))
    assert meta['uuid'] == UUID and meta['hostname'] == 'vm1.novalocal'
    assert _iso_file(iso, 'openstack/latest/user_data') == b'#!/bin/sh\necho hi\n'
    assert json.loads(_iso_file(iso, 'openstack/latest/network_data.json'))['links']
    assert json.loads(_iso_file(iso, 'openstack/latest/vendor_data2.json')) == {}
    assert json.loads(_iso_file(iso, 'openstack/2012-08-10/meta_data.json'))['uuid'] == UUID
    assert json.loads(_iso_file(iso, 'ec2/latest/meta-data.json'))['instance-id'] == \
        'i-3f0e6a4c'
    assert _iso_file(iso, 'ec2/2009-04-04/user-data') == b'#!/bin/sh\necho hi\n'


@needs_iso
def test_config_drive_without_user_data(tmp_path):
    md = instance_metadata.InstanceMetadata(_instance(user_data=None), [])
    files = md.config_drive_files()
    assert 'openstack/latest/user_data' not in files
    assert 'ec2/latest/user-data' not in files
    configdrive.build(str(tmp_path / 'cd.iso'), files)


def test_config_drive_refuses_paths_outside(tmp_path):
    with pytest.raises(base.InvalidInput):
        configdrive.build(str(tmp_path / 'x.iso'), {'../../etc/x': b''})
    assert not os.path.exists(tmp_path / 'x.iso')
