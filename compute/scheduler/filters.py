"""Host filters: each says whether one host can take one server of a request.

A host state is a dict: the compute node row (with ``*_claimed``), ``alive``,
``disabled``, and ``instances`` (uuids placed there, including ones placed earlier in
the same request).  A spec is the request spec of CONTRACT.md.
"""
import logging

LOG = logging.getLogger(__name__)


def _ratio_limit(total, ratio, reserved=0):
    return (total - reserved) * ratio


class ComputeFilter:
    """Only hosts whose worker is alive, enabled and not forced down."""

    def passes(self, host, spec):
        return host.get('alive', False) and not host.get('disabled', False)


class AvailabilityZoneFilter:
    def passes(self, host, spec):
        zone = spec.get('availability_zone')
        return not zone or host.get('availability_zone') == zone


class RamFilter:
    def passes(self, host, spec):
        need = spec['flavor']['memory_mb']
        limit = _ratio_limit(host['memory_mb'], host['ram_allocation_ratio'],
                             host.get('reserved_host_memory_mb', 0))
        return host['memory_mb_claimed'] + need <= limit


class CoreFilter:
    def passes(self, host, spec):
        need = spec['flavor']['vcpus']
        return host['vcpus_claimed'] + need <= host['vcpus'] * host['cpu_allocation_ratio']


def disk_gb(flavor):
    """GiB a server takes on its host: root + ephemeral + swap (rounded up)."""
    swap_gb = -(-int(flavor.get('swap_mb', 0) or 0) // 1024)
    return int(flavor.get('root_gb', 0)) + int(flavor.get('ephemeral_gb', 0)) + swap_gb


class DiskFilter:
    def passes(self, host, spec):
        need = disk_gb(spec['flavor'])
        limit = _ratio_limit(host['local_gb'], host['disk_allocation_ratio'],
                             host.get('reserved_host_disk_mb', 0) / 1024.0)
        return host['disk_gb_claimed'] + need <= limit


class ImagePropertiesFilter:
    """An image asking for an architecture / hypervisor type / virt type the host lacks."""

    def passes(self, host, spec):
        props = (spec.get('image') or {}).get('properties') or {}
        arch = props.get('architecture') or props.get('hw_architecture')
        if arch and arch != (host.get('cpu_info') or {}).get('arch', arch):
            return False
        htype = props.get('hypervisor_type') or props.get('img_hv_type')
        if htype and htype.lower() not in (str(host.get('hypervisor_type', '')).lower(),
                                           str(host.get('virt_type', '')).lower()):
            return False
        return True


class ServerGroupAffinityFilter:
    def passes(self, host, spec):
        group = spec.get('group')
        if not group or group.get('policy') != 'affinity':
            return True
        members = set(group.get('member_hosts') or [])
        return not members or host['host'] in members


class ServerGroupAntiAffinityFilter:
    def passes(self, host, spec):
        group = spec.get('group')
        if not group or group.get('policy') != 'anti-affinity':
            return True
        limit = int((group.get('rules') or {}).get('max_server_per_host', 1))
        on_host = [h for h in group.get('member_hosts') or [] if h == host['host']]
        return len(on_host) < limit


ALL = {cls.__name__: cls for cls in (
    ComputeFilter, AvailabilityZoneFilter, RamFilter, CoreFilter, DiskFilter,
    ImagePropertiesFilter, ServerGroupAffinityFilter, ServerGroupAntiAffinityFilter)}


def load(names):
    unknown = [n for n in names if n not in ALL]
    if unknown:
        raise ValueError('unknown scheduler filters: %s' % ', '.join(unknown))
    return [ALL[n]() for n in names]


def filter_hosts(filters, hosts, spec):
    result = list(hosts)
    for flt in filters:
        result = [h for h in result if flt.passes(h, spec)]
        if not result:
            LOG.info('no host left after %s', type(flt).__name__)
            break
    return result
