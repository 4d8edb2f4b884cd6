"""Power states of a guest as compute reports them, and how to reconcile them with vm_state.

The numbers are the ones the compute API exposes as ``OS-EXT-STS:power_state``.
"""
import collections

NOSTATE = 0
RUNNING = 1
PAUSED = 3
SHUTDOWN = 4      # powered off (or on its way off)
CRASHED = 6
SUSPENDED = 7     # state saved to disk (managed save) or guest-initiated suspend

NAMES = {NOSTATE: 'NOSTATE', RUNNING: 'Running', PAUSED: 'Paused', SHUTDOWN: 'Shutdown',
         CRASHED: 'Crashed', SUSPENDED: 'Suspended'}

# What the manager should do about a disagreement (see ``reconcile``).
# The compute API's diagnostics name these states so (2.48).
DIAGNOSTICS_STATES = {NOSTATE: 'pending', RUNNING: 'running', PAUSED: 'paused',
                      SHUTDOWN: 'shutdown', CRASHED: 'crashed', SUSPENDED: 'suspended'}

NO_ACTION = 'none'
MARK_STOPPED = 'mark_stopped'        # the guest went away by itself: record SHUTOFF
POWER_OFF_GUEST = 'power_off_guest'  # the user stopped it, yet it runs: stop it again

Reconciliation = collections.namedtuple('Reconciliation', 'power_state action')

_GUEST_GONE = (SHUTDOWN, CRASHED, NOSTATE)


def reconcile(vm_state, task_state, hypervisor_state):
    """Decide how to bring the DB in line with the hypervisor for one server.

    ``vm_state`` is the server's vm_state ('active', 'stopped', 'paused', 'suspended',
    'rescued', 'resized', 'building', 'error', 'deleted', ...), ``task_state`` its task
    (None when idle), ``hypervisor_state`` the driver's power state (NOSTATE when the
    domain does not exist).  Returns (power state to record, action).  While a task runs
    nothing is done: the task itself moves the state.
    """
    if task_state is not None:
        return Reconciliation(None, NO_ACTION)
    if vm_state in ('building', 'deleted', 'soft-delete', 'error', 'shelved_offloaded'):
        return Reconciliation(None, NO_ACTION)
    if vm_state in ('active', 'paused', 'rescued', 'resized', 'suspended'):
        if hypervisor_state in _GUEST_GONE:
            # Death from inside (a crash, poweroff in the guest, QEMU killed).
            return Reconciliation(hypervisor_state, MARK_STOPPED)
        return Reconciliation(hypervisor_state, NO_ACTION)
    if vm_state in ('stopped', 'shelved'):
        if hypervisor_state in (RUNNING, PAUSED):
            return Reconciliation(hypervisor_state, POWER_OFF_GUEST)
        return Reconciliation(hypervisor_state, NO_ACTION)
    return Reconciliation(hypervisor_state, NO_ACTION)
