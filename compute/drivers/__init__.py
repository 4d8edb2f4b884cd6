"""Virt drivers of compute-worker, chosen by name (``[DEFAULT] compute_driver``).

``libvirt`` runs real guests; ``fake`` keeps servers in memory for unit tests and the
many-host scheduler simulation, and is never a default.
"""
from common import drivers

DRIVERS = {
    'libvirt': 'compute.drivers.libvirt.driver:LibvirtDriver',
    'fake': 'compute.drivers.fake:FakeDriver',
}


def load_driver(name, *args, **kwargs):
    """An instance of the driver registered as ``name`` (a config error for another)."""
    return drivers.create(DRIVERS, name, *args, option='compute driver', **kwargs)
