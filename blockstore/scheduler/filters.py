"""Which pools can hold a volume, best first (pure functions over pool dicts)."""


def free_gb(pool):
    """What the pool may still give out, after its reserve (thin: over-subscribed)."""
    total = pool['total_capacity_gb']
    usable = total * (100 - pool['reserved_percentage']) / 100.0
    if pool['thin']:
        usable *= pool['max_over_subscription_ratio']
    return usable - pool['allocated_capacity_gb']


def candidates(pools, size, availability_zone=None, backend_name=None, host=None):
    """Pools matching the zone, the type's ``volume_backend_name`` and (for copies of a
    volume or snapshot) the source's pool, with room for ``size`` GiB; most free first."""
    found = []
    for pool in pools:
        if availability_zone and pool['availability_zone'] != availability_zone:
            continue
        if backend_name and pool['backend_name'] != backend_name:
            continue
        if host and pool['name'] != host:
            continue
        if free_gb(pool) < size:
            continue
        found.append(pool)
    return sorted(found, key=free_gb, reverse=True)


def explain(size, availability_zone=None, backend_name=None, host=None):
    wants = ['%d GiB free' % size]
    if availability_zone:
        wants.append('availability zone %s' % availability_zone)
    if backend_name:
        wants.append('volume_backend_name %s' % backend_name)
    if host:
        wants.append('the source\'s pool %s' % host)
    return 'No valid backend was found: no pool has %s.' % ', '.join(wants)
