"""libvirt diagnostics: a domain's counters read into the compute API's format (a stub
domain stands in for libvirt's)."""
import libvirt

from compute.drivers import power_state
from compute.drivers.libvirt import diagnostics

XML = """<domain type='qemu'><devices>
  <disk type='file'><source file='/x/disk'/><target dev='vda'/></disk>
  <interface type='ethernet'><mac address='fa:16:3e:00:00:01'/><target dev='tapabc'/>
  </interface></devices></domain>"""


class StubDomain:
    def info(self):
        return [1, 262144, 131072, 2, 5000]

    def XMLDesc(self, flags):
        return XML

    def memoryStats(self):
        return {'actual': 131072, 'unused': 65536}

    def vcpus(self):
        return [(0, 1, 700, 0), (1, 1, 800, 1)], []

    def blockStats(self, dev):
        assert dev == 'vda'
        return (3, 4096, 5, 8192, 0)

    def interfaceStats(self, dev):
        raise libvirt.libvirtError('no such device')


def test_collect_reads_the_domain():
    data = diagnostics.collect(StubDomain(), power_state.RUNNING, 'qemu', True)
    assert (data['state'], data['driver'], data['hypervisor']) == ('running', 'libvirt',
                                                                   'qemu')
    assert data['memory_details'] == {'maximum': 256, 'used': 64}
    assert [c['time'] for c in data['cpu_details']] == [700, 800]
    assert data['disk_details'] == [{'name': 'vda', 'read_bytes': 4096, 'read_requests': 3,
                                     'write_bytes': 8192, 'write_requests': 5,
                                     'errors_count': 0}]
    nic = data['nic_details'][0]
    assert nic['mac_address'] == 'fa:16:3e:00:00:01' and nic['rx_octets'] is None
    assert (data['num_cpus'], data['num_disks'], data['num_nics']) == (2, 1, 1)
    assert data['config_drive'] is True
