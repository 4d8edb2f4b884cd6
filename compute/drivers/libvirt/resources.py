"""What the host offers: CPU description from libvirt's capabilities, memory from
/proc/meminfo, disk from the instances file system."""
import os
import xml.etree.ElementTree as ET


def cpu_info(capabilities_xml):
    """The host CPU as the hypervisors API shows it (arch, model, vendor, topology, features)."""
    root = ET.fromstring(capabilities_xml)
    cpu = root.find('./host/cpu')
    info = {'arch': None, 'model': None, 'vendor': None, 'topology': {}, 'features': []}
    if cpu is None:
        return info
    info['arch'] = _text(cpu.find('arch'))
    info['model'] = _text(cpu.find('model'))
    info['vendor'] = _text(cpu.find('vendor'))
    topo = cpu.find('topology')
    if topo is not None:
        info['topology'] = {k: int(topo.get(k)) for k in ('sockets', 'cores', 'threads')
                            if topo.get(k) is not None}
    info['features'] = sorted(f.get('name') for f in cpu.findall('feature') if f.get('name'))
    return info


def _text(el):
    return el.text if el is not None else None


def meminfo(path='/proc/meminfo'):
    """{'total_mb', 'available_mb'} of the host."""
    values = {}
    with open(path) as f:
        for line in f:
            key, _, rest = line.partition(':')
            parts = rest.split()
            if parts:
                values[key] = int(parts[0])   # kB
    total = values.get('MemTotal', 0)
    available = values.get('MemAvailable',
                           values.get('MemFree', 0) + values.get('Buffers', 0)
                           + values.get('Cached', 0))
    return {'total_mb': total // 1024, 'available_mb': available // 1024}


def disk_usage_gb(path):
    """(total_gb, used_gb, free_gb) of the file system holding ``path``."""
    st = os.statvfs(path)
    total = st.f_blocks * st.f_frsize
    free = st.f_bavail * st.f_frsize
    gib = 1024 ** 3
    return total // gib, (total - free) // gib, free // gib
