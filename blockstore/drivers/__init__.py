"""Volume drivers of blockstore-volume, chosen by name (``volume_driver`` of a backend).

``file`` (the default here) keeps volumes as files; ``lvm`` as logical volumes, for hosts
with device-mapper.  Both export through tgt (blockstore.drivers.tgt).
"""
from common import drivers

DRIVERS = {
    'file': 'blockstore.drivers.file:FileDriver',
    'lvm': 'blockstore.drivers.lvm:LVMDriver',
}


def load_driver(name, *args, **kwargs):
    """An instance of the driver registered as ``name`` (a config error for another)."""
    return drivers.create(DRIVERS, name, *args, option='volume driver', **kwargs)
