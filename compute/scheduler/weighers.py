"""Host weighers: free RAM, vCPUs, disk, soft (anti-)affinity; normalised to 0..1 and
summed with their multipliers, as Nova does."""
from compute.scheduler import filters


def _free_ram(host, spec):
    return ((host['memory_mb'] - host.get('reserved_host_memory_mb', 0))
            * host['ram_allocation_ratio'] - host['memory_mb_claimed'])


def _free_vcpus(host, spec):
    return host['vcpus'] * host['cpu_allocation_ratio'] - host['vcpus_claimed']


def _free_disk(host, spec):
    return host['local_gb'] * host['disk_allocation_ratio'] - host['disk_gb_claimed']


def _group_members(host, spec, policy):
    group = spec.get('group') or {}
    if group.get('policy') != policy:
        return 0
    return sum(1 for h in group.get('member_hosts') or [] if h == host['host'])


def _soft_affinity(host, spec):
    return _group_members(host, spec, 'soft-affinity')


def _soft_anti_affinity(host, spec):
    return -_group_members(host, spec, 'soft-anti-affinity')


def weighers(conf):
    s = conf.scheduler
    return [(_free_ram, s.ram_weight_multiplier), (_free_vcpus, s.cpu_weight_multiplier),
            (_free_disk, s.disk_weight_multiplier),
            (_soft_affinity, s.soft_affinity_weight_multiplier),
            (_soft_anti_affinity, s.soft_anti_affinity_weight_multiplier)]


def weigh(weigher_list, hosts, spec):
    """Hosts sorted best first."""
    totals = {id(h): 0.0 for h in hosts}
    for func, multiplier in weigher_list:
        if not multiplier:
            continue
        values = [func(h, spec) for h in hosts]
        low, high = min(values), max(values)
        span = high - low
        for host, value in zip(hosts, values):
            totals[id(host)] += multiplier * ((value - low) / span if span else 0.0)
    return sorted(hosts, key=lambda h: (-totals[id(h)], h['host']))


__all__ = ['weighers', 'weigh', 'filters']
