"""libvirt domain states -> compute power states."""
import libvirt

from compute.drivers import power_state

LIBVIRT_TO_POWER_STATE = {
    libvirt.VIR_DOMAIN_NOSTATE: power_state.NOSTATE,
    libvirt.VIR_DOMAIN_RUNNING: power_state.RUNNING,
    # Blocked on I/O is still running as far as a user is concerned.
    libvirt.VIR_DOMAIN_BLOCKED: power_state.RUNNING,
    libvirt.VIR_DOMAIN_PAUSED: power_state.PAUSED,
    libvirt.VIR_DOMAIN_SHUTDOWN: power_state.SHUTDOWN,
    libvirt.VIR_DOMAIN_SHUTOFF: power_state.SHUTDOWN,
    libvirt.VIR_DOMAIN_CRASHED: power_state.CRASHED,
    libvirt.VIR_DOMAIN_PMSUSPENDED: power_state.SUSPENDED,
}


def to_power_state(libvirt_state, has_managed_save=False):
    """Power state of a domain in ``libvirt_state``; a stopped domain with a managed-save
    image is SUSPENDED (its memory waits on disk)."""
    state = LIBVIRT_TO_POWER_STATE.get(libvirt_state, power_state.NOSTATE)
    if state == power_state.SHUTDOWN and libvirt_state == libvirt.VIR_DOMAIN_SHUTOFF \
            and has_managed_save:
        return power_state.SUSPENDED
    return state
