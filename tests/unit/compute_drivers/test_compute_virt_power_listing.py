"""The libvirt driver's power-state listing (the worker's periodic power sync reads it)
skips a domain undefined between the listing and its state query, instead of failing the
whole sync; other libvirt errors still surface."""
import libvirt
import pytest

from compute.drivers import base
from compute.drivers import power_state
from compute.drivers.libvirt import driver as driver_mod


class _Domain:
    def __init__(self, state=libvirt.VIR_DOMAIN_RUNNING, error=None):
        self._state, self._error = state, error

    def state(self):
        if self._error is not None:
            exc = libvirt.libvirtError('domain error')
            exc.err = (self._error, 0, 'gone', 0, None, None, None, 0, 0)
            raise exc
        return self._state, 0

    def hasManagedSaveImage(self, flags):
        return 0


def _driver(domains):
    drv = driver_mod.LibvirtDriver.__new__(driver_mod.LibvirtDriver)
    drv._our_domains = lambda: domains
    return drv


def test_domain_gone_between_listing_and_query_is_skipped():
    drv = _driver({'a': _Domain(), 'b': _Domain(error=libvirt.VIR_ERR_NO_DOMAIN),
                   'c': _Domain(libvirt.VIR_DOMAIN_SHUTOFF)})
    assert drv.list_instance_power_states() == {'a': power_state.RUNNING,
                                                'c': power_state.SHUTDOWN}


def test_other_libvirt_errors_still_fail_the_listing():
    drv = _driver({'a': _Domain(error=libvirt.VIR_ERR_INTERNAL_ERROR)})
    with pytest.raises(base.VirtError):
        drv.list_instance_power_states()
