"""Pluggable backends chosen by name in config (virt, volume, store drivers).

A service keeps one table of the drivers it knows, name -> ``'module:Class'``, and loads
the configured one; modules are imported only when chosen, so a host without libvirt can
still run the fake driver::

    DRIVERS = {'libvirt': 'compute.drivers.libvirt.driver:LibvirtDriver',
               'fake': 'compute.drivers.fake:FakeDriver'}
    driver = drivers.load(DRIVERS, conf.compute_driver, 'compute_driver')(conf)
"""
import importlib

from common import config


class UnknownDriver(config.ConfigError, ValueError):
    """The configured name is not in the table (a config error naming the choices)."""


def load(table, name, option='driver'):
    """The class registered as ``name`` in ``table``; UnknownDriver for another name."""
    try:
        module_name, _, attr = table[name].partition(':')
    except (KeyError, TypeError):
        raise UnknownDriver('unknown %s %r (known: %s)'
                            % (option, name, ', '.join(sorted(table)))) from None
    return getattr(importlib.import_module(module_name), attr)


def create(table, name, *args, option='driver', **kwargs):
    """An instance of the driver registered as ``name``, built with ``args``/``kwargs``."""
    return load(table, name, option)(*args, **kwargs)
