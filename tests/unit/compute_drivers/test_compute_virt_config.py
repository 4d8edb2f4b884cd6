"""Domain XML builder, hardware choices from image properties, device names."""
import xml.etree.ElementTree as ET

import pytest

from compute.drivers import base
from compute.drivers.libvirt import config
from compute.drivers.libvirt import hardware
from compute.drivers.libvirt import volumes

UUID = '3f0e6a4c-8f0a-4b8e-9a3c-1d2e3f4a5b6c'
PORT = '0befd7eb-b3aa-4c1e-9e8f-000000000001'


def _instance(**kw):
    flavor = base.Flavor('f1', 'm1.nano', 2, 192, 1, ephemeral_gb=1, swap_mb=64)
    data = dict(uuid=UUID, name='vm1', flavor=flavor, project_id='p1', user_id='u1',
                image_ref='img-1')
    data.update(kw)
    return base.Instance(**data)


def _spec(disks=None, vifs=None, vols=(), virt_type='qemu', hw=None, cpu_mode='host-model'):
    hw = hw or hardware.from_image(None)
    if disks is None:
        layout = hardware.DiskLayout(hw, True, True, True)
        disks = [config.DiskSpec('/i/disk', 'qcow2', layout.root, hw.disk_bus),
                 config.DiskSpec('/i/disk.eph0', 'qcow2', layout.ephemeral, hw.disk_bus),
                 config.DiskSpec('/i/disk.swap', 'qcow2', layout.swap, hw.disk_bus),
                 config.DiskSpec('/i/disk.config', 'raw', layout.config_drive, hw.cdrom_bus,
                                 device='cdrom', readonly=True)]
    return config.DomainSpec(virt_type=virt_type, hw=hw, disks=disks,
                             vifs=vifs if vifs is not None else
                             [base.VIF(port_id=PORT, mac='fa:16:3e:00:00:01', mtu=1450)],
                             console_log='/i/console.log', vnc_listen='127.0.0.1',
                             cpu_mode=cpu_mode, volumes=vols,
                             initiator_iqn='iqn.2024-01.org.cirrostack:host1')


def _dom(instance=None, spec=None):
    instance = instance or _instance()
    return ET.fromstring(config.domain_xml(instance, instance.flavor, spec or _spec()))


def test_domain_basics():
    dom = _dom()
    assert dom.get('type') == 'qemu'
    assert dom.findtext('name') == 'instance-' + UUID
    assert dom.findtext('uuid') == UUID
    assert dom.find('memory').text == '192' and dom.find('memory').get('unit') == 'MiB'
    assert dom.findtext('vcpu') == '2'
    assert dom.find('os/type').get('machine') == 'pc'
    # TCG guests get QEMU's default CPU: host-model only means something under KVM.
    assert dom.find('cpu') is None
    entries = {e.get('name'): e.text for e in dom.findall('sysinfo/system/entry')}
    assert entries['product'] == 'OpenStack Nova' and entries['serial'] == UUID
    assert dom.findtext('on_poweroff') == 'destroy'


def test_kvm_gets_configured_cpu_mode():
    dom = _dom(spec=_spec(virt_type='kvm'))
    assert dom.get('type') == 'kvm'
    assert dom.find('cpu').get('mode') == 'host-model'


def test_disks_in_order_first_boots():
    dom = _dom()
    disks = dom.findall('devices/disk')
    assert [d.find('target').get('dev') for d in disks] == ['vda', 'vdb', 'vdc', 'hdd']
    assert [d.find('source').get('file') for d in disks] == [
        '/i/disk', '/i/disk.eph0', '/i/disk.swap', '/i/disk.config']
    assert disks[0].find('boot').get('order') == '1'
    assert all(d.find('boot') is None for d in disks[1:])
    assert dom.find('os/boot') is None      # per-device boot order only
    cd = disks[3]
    assert cd.get('device') == 'cdrom' and cd.find('readonly') is not None
    assert cd.find('driver').get('type') == 'raw'
    assert cd.find('target').get('bus') == 'ide'


def test_interface_is_a_tap_libvirt_does_not_manage():
    iface = _dom().find('devices/interface')
    assert iface.get('type') == 'ethernet'
    target = iface.find('target')
    assert target.get('dev') == 'tap0befd7eb-b3' and target.get('managed') == 'no'
    assert iface.find('mac').get('address') == 'fa:16:3e:00:00:01'
    assert iface.find('mtu').get('size') == '1450'
    assert iface.find('model').get('type') == 'virtio'


def test_serial_console_logs_through_virtlogd_and_vnc_listens_locally():
    dom = _dom()
    log = dom.find('devices/serial/log')
    assert log.get('file') == '/i/console.log' and log.get('append') == 'on'
    assert dom.find('devices/console/target').get('type') == 'serial'
    assert dom.find('devices/graphics').get('listen') == '127.0.0.1'


def test_tenant_text_is_escaped_into_metadata_only():
    name = 'evil</name><devices><disk type="block"/>&"\''
    root = _dom(instance=_instance(name=name))
    assert config.is_ours(root)
    md = root.find('metadata/{%s}instance' % config.METADATA_NS)
    assert md.find('{%s}name' % config.METADATA_NS).text == name
    assert len(root.findall('devices/disk')) == 4    # nothing injected
    assert root.findtext('title') == 'cirrostack server %s' % UUID


def test_volume_disk_and_secret():
    att = base.VolumeAttachment('vol-1', {
        'driver_volume_type': 'iscsi',
        'data': {'target_iqn': 'iqn.2010-10.org.openstack:volume-vol-1',
                 'target_portal': '127.0.0.1:3260', 'target_lun': 1,
                 'auth_method': 'CHAP', 'auth_username': 'u1', 'auth_password': 'pw12345'}})
    target = volumes.IscsiTarget.from_attachment(att)
    disk = ET.fromstring(config.iscsi_disk_xml(target, 'vdc', 'virtio',
                                               'iqn.2024-01.org.cirrostack:h'))
    assert disk.get('type') == 'network'
    src = disk.find('source')
    assert src.get('protocol') == 'iscsi'
    assert src.get('name') == 'iqn.2010-10.org.openstack:volume-vol-1/1'
    assert src.find('host').get('name') == '127.0.0.1' and src.find('host').get('port') == '3260'
    assert src.find('initiator/iqn').get('name') == 'iqn.2024-01.org.cirrostack:h'
    assert disk.find('auth').get('username') == 'u1'
    assert disk.find('auth/secret').get('usage') == 'cirrostack-volume-vol-1'
    assert 'pw12345' not in config.iscsi_disk_xml(target, 'vdc', 'virtio', 'iqn.2024-01.a.b:c')
    secret = ET.fromstring(config.secret_xml('vol-1'))
    assert secret.get('private') == 'yes' and secret.get('ephemeral') == 'no'
    assert secret.find('usage').get('type') == 'iscsi'
    assert secret.findtext('usage/target') == 'cirrostack-volume-vol-1'
    # In a domain: after the local disks, and readable back for cleanup.
    dom = _dom(spec=_spec(vols=[(target, 'vde')]))
    assert config.secret_usages(dom) == ['cirrostack-volume-vol-1']
    assert config.disk_targets(dom)['vde'] == 'iqn.2010-10.org.openstack:volume-vol-1/1'


@pytest.mark.parametrize('data,needle', [
    ({'target_iqn': 'iqn.2010-10.org.x:v"; rm -rf', 'target_portal': '1.2.3.4:3260'},
     'target_iqn'),
    ({'target_iqn': 'iqn.2010-10.org.x:v', 'target_portal': '1.2.3.4'}, 'target_portal'),
    ({'target_iqn': 'iqn.2010-10.org.x:v', 'target_portal': 'h o st:3260'}, 'target_portal'),
    ({'target_iqn': 'iqn.2010-10.org.x:v', 'target_portal': 'h:3260', 'target_lun': -1},
     'target_lun'),
    ({'target_iqn': 'iqn.2010-10.org.x:v', 'target_portal': 'h:3260', 'auth_method': 'CHAP',
      'auth_username': 'u', 'auth_password': 'has space'}, 'auth_password'),
    ({'target_iqn': 'iqn.2010-10.org.x:v', 'target_portal': 'h:3260', 'auth_method': 'KRB'},
     'auth_method'),
])
def test_volume_connection_info_is_checked(data, needle):
    att = base.VolumeAttachment('vol-1', {'driver_volume_type': 'iscsi', 'data': data})
    with pytest.raises(base.InvalidInput) as err:
        volumes.IscsiTarget.from_attachment(att)
    assert needle in str(err.value)
    assert 'has space' not in str(err.value)      # a secret never lands in a message


def test_only_iscsi_volumes():
    att = base.VolumeAttachment('vol-1', {'driver_volume_type': 'rbd', 'data': {}})
    with pytest.raises(base.InvalidInput, match='iscsi'):
        volumes.IscsiTarget.from_attachment(att)


def test_read_back_helpers():
    dom = _dom()
    assert config.tap_devices(dom) == ['tap0befd7eb-b3']
    assert config.interface_by_mac(dom, 'FA:16:3E:00:00:01') is not None
    assert config.interface_by_mac(dom, 'fa:16:3e:00:00:02') is None
    assert config.disk_by_target(dom, 'vdb').find('source').get('file') == '/i/disk.eph0'
    live = ET.fromstring("<domain><devices><graphics type='vnc' port='5901'/></devices>"
                         "</domain>")
    assert config.vnc_port(live) == 5901
    assert config.vnc_port(ET.fromstring(
        "<domain><devices><graphics type='vnc' port='-1'/></devices></domain>")) is None


def test_hardware_from_image_properties():
    hw = hardware.from_image(base.ImageMeta(id='i', properties={
        'hw_disk_bus': 'scsi', 'hw_vif_model': 'e1000', 'hw_machine_type': 'q35'}))
    assert (hw.disk_bus, hw.vif_model, hw.machine_type, hw.cdrom_bus) == (
        'scsi', 'e1000', 'q35', 'sata')
    dom = _dom(spec=_spec(hw=hw, disks=[config.DiskSpec('/d', 'qcow2', 'sda', 'scsi')]))
    assert dom.find("devices/controller[@type='scsi']").get('model') == 'virtio-scsi'
    assert dom.find('devices/interface/model').get('type') == 'e1000'


@pytest.mark.parametrize('props,needle', [
    ({'hw_disk_bus': 'xen'}, 'hw_disk_bus'),
    ({'hw_vif_model': 'virtio"/><x'}, 'hw_vif_model'),
    ({'hw_machine_type': 'pc; rm'}, 'hw_machine_type'),
    ({'hw_machine_type': 'q35', 'hw_disk_bus': 'ide'}, 'hw_disk_bus=ide'),
    ({'hw_video_model': 'voodoo'}, 'hw_video_model'),
])
def test_hardware_refuses_unknown_values(props, needle):
    with pytest.raises(base.InvalidInput, match=needle):
        hardware.from_image(base.ImageMeta(id='i', properties=props))


def test_device_names():
    assert hardware.device_name('virtio', 0) == 'vda'
    assert hardware.next_free_device('virtio', {'vda', 'vdb', 'vdd'}) == 'vdc'
    assert hardware.normalise_device('virtio', '/dev/vdc') == 'vdc'
    for bad in ('/dev/sda', 'vd', 'vdaa', '../vdb', None):
        with pytest.raises(base.InvalidInput):
            hardware.normalise_device('virtio', bad)
    with pytest.raises(base.InvalidInput):
        hardware.next_free_device('ide', {'hda', 'hdb', 'hdc', 'hdd'})


def test_disk_layout_rescue_shifts_root():
    hw = hardware.from_image(None)
    layout = hardware.DiskLayout(hw, False, False, True, rescue=True)
    assert (layout.rescue, layout.root, layout.config_drive) == ('vda', 'vdb', 'hdd')
    plain = hardware.DiskLayout(hw, False, True, False)
    assert (plain.root, plain.swap, plain.ephemeral) == ('vda', 'vdb', None)


def _iscsi(volume_id, boot_index=None, device_name=None):
    return base.VolumeAttachment(volume_id, {
        'driver_volume_type': 'iscsi',
        'data': {'target_iqn': 'iqn.2010-10.org.openstack:volume-%s' % volume_id,
                 'target_portal': '127.0.0.1:3260', 'target_lun': 1}},
        device_name=device_name, boot_index=boot_index)


def test_server_booted_from_a_volume_has_no_local_root_and_boots_the_volume(tmp_path):
    from compute.drivers.libvirt import driver as driver_mod
    from compute.drivers.libvirt import settings as settings_mod
    drv = driver_mod.LibvirtDriver(settings_mod.LibvirtSettings(
        instances_path=str(tmp_path)), host=object())
    drv.virt_type = 'qemu'
    instance = _instance()
    bdi = base.BlockDeviceInfo([_iscsi('data-1'), _iscsi('root-1', boot_index=0)])
    paths = drv._paths(instance.uuid)
    xml, vols = drv._domain_xml(instance, instance.flavor, base.ImageMeta('img-1'), [],
                                bdi, paths)
    dom = ET.fromstring(xml)
    assert [dev for _t, dev in vols] == ['vdb', 'vda']
    assert not [d for d in dom.findall('./devices/disk[@type="file"]')
                if d.find('source').get('file') == paths.disk]
    booting = [d for d in dom.findall('./devices/disk') if d.find('boot') is not None]
    assert len(booting) == 1 and booting[0].get('type') == 'network'
    assert booting[0].find('target').get('dev') == 'vda'
    assert booting[0].find('source').get('name').endswith('volume-root-1/1')
    # without a root volume the local disk boots and volumes follow it
    xml, vols = drv._domain_xml(instance, instance.flavor, base.ImageMeta('img-1'), [],
                                base.BlockDeviceInfo([_iscsi('data-1')]), paths)
    booting = [d for d in ET.fromstring(xml).findall('./devices/disk')
               if d.find('boot') is not None]
    assert booting[0].find('source').get('file') == paths.disk
    assert [dev for _t, dev in vols] == ['vdb']
