"""A running domain's figures in the compute API's diagnostics format, read from libvirt
(vCPU times, balloon memory, block and interface counters)."""
import libvirt

from compute.drivers import power_state
from compute.drivers.libvirt import config


def _memory(dom, max_kib, cur_kib):
    """{maximum, used} in MiB: the balloon's current size less what the guest reports
    unused when the balloon driver tells it, else the domain's current memory."""
    used = cur_kib
    try:
        stats = dom.memoryStats()
    except libvirt.libvirtError:
        stats = {}
    if 'actual' in stats and 'unused' in stats:
        used = stats['actual'] - stats['unused']
    return {'maximum': max_kib // 1024, 'used': used // 1024}


def _cpus(dom, count):
    try:
        vcpus = dom.vcpus()[0]
    except libvirt.libvirtError:     # a paused or stopped domain has no vCPU threads
        return [{'id': i, 'time': None, 'utilisation': None} for i in range(count)]
    return [{'id': number, 'time': cpu_time, 'utilisation': None}
            for number, _state, cpu_time, _cpu in vcpus]


def _disks(dom, root):
    out = []
    for dev in config.disk_targets(root):
        try:
            rd_req, rd_bytes, wr_req, wr_bytes, errs = dom.blockStats(dev)
        except libvirt.libvirtError:
            rd_req = rd_bytes = wr_req = wr_bytes = errs = None
        out.append({'name': dev, 'read_bytes': rd_bytes, 'read_requests': rd_req,
                    'write_bytes': wr_bytes, 'write_requests': wr_req,
                    'errors_count': errs})
    return out


def _nics(dom, root):
    out = []
    for iface in root.findall('./devices/interface'):
        target, mac = iface.find('target'), iface.find('mac')
        dev = target.get('dev') if target is not None else None
        figures = [None] * 8
        if dev:
            try:
                figures = list(dom.interfaceStats(dev))
            except libvirt.libvirtError:
                pass
        keys = ('rx_octets', 'rx_packets', 'rx_errors', 'rx_drop',
                'tx_octets', 'tx_packets', 'tx_errors', 'tx_drop')
        nic = dict(zip(keys, figures), name=dev,
                   mac_address=mac.get('address') if mac is not None else None,
                   rx_rate=None, tx_rate=None)
        out.append(nic)
    return out


def collect(dom, state, virt_type, config_drive):
    """The diagnostics dict of ``dom`` (``state`` its power state)."""
    _state, max_kib, cur_kib, vcpus, _cpu_ns = dom.info()
    root = config.parse(dom.XMLDesc(0))
    disks, nics = _disks(dom, root), _nics(dom, root)
    return {'state': power_state.DIAGNOSTICS_STATES.get(state, 'pending'),
            'driver': 'libvirt', 'hypervisor': virt_type, 'hypervisor_os': 'linux',
            'uptime': None, 'config_drive': config_drive, 'num_cpus': vcpus,
            'num_disks': len(disks), 'num_nics': len(nics),
            'memory_details': _memory(dom, max_kib, cur_kib),
            'cpu_details': _cpus(dom, vcpus), 'disk_details': disks, 'nic_details': nics}
