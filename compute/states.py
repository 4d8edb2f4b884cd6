"""Nova's server states, the status string clients see, and which action each state allows."""

# vm_state
ACTIVE, BUILDING, PAUSED, SUSPENDED, STOPPED = 'active', 'building', 'paused', 'suspended', 'stopped'
RESCUED, RESIZED, SOFT_DELETED, DELETED, ERROR = 'rescued', 'resized', 'soft-delete', 'deleted', 'error'
SHELVED, SHELVED_OFFLOADED = 'shelved', 'shelved_offloaded'
ALL_VM_STATES = (ACTIVE, BUILDING, PAUSED, SUSPENDED, STOPPED, RESCUED, RESIZED, SOFT_DELETED,
                 DELETED, ERROR, SHELVED, SHELVED_OFFLOADED)

# task_state
SCHEDULING, NETWORKING, SPAWNING, BLOCK_DEVICE_MAPPING = (
    'scheduling', 'networking', 'spawning', 'block_device_mapping')
DELETING, POWERING_OFF, POWERING_ON = 'deleting', 'powering-off', 'powering-on'
REBOOTING, REBOOT_PENDING, REBOOT_STARTED = 'rebooting', 'reboot_pending', 'reboot_started'
REBOOTING_HARD, REBOOT_PENDING_HARD, REBOOT_STARTED_HARD = (
    'rebooting_hard', 'reboot_pending_hard', 'reboot_started_hard')
PAUSING, UNPAUSING, SUSPENDING, RESUMING = 'pausing', 'unpausing', 'suspending', 'resuming'
RESCUING, UNRESCUING = 'rescuing', 'unrescuing'
REBUILDING, REBUILD_SPAWNING = 'rebuilding', 'rebuild_spawning'
RESIZE_PREP, RESIZE_MIGRATING, RESIZE_MIGRATED, RESIZE_FINISH = (
    'resize_prep', 'resize_migrating', 'resize_migrated', 'resize_finish')
RESIZE_REVERTING, RESIZE_CONFIRMING = 'resize_reverting', 'resize_confirming'
IMAGE_SNAPSHOT, IMAGE_PENDING_UPLOAD, IMAGE_UPLOADING = (
    'image_snapshot', 'image_pending_upload', 'image_uploading')
SHELVING, SHELVING_IMAGE_PENDING_UPLOAD, SHELVING_IMAGE_UPLOADING = (
    'shelving', 'shelving_image_pending_upload', 'shelving_image_uploading')
SHELVING_OFFLOADING, UNSHELVING = 'shelving_offloading', 'unshelving'
MIGRATING = 'migrating'

SOFT_REBOOT_STATES = (REBOOTING, REBOOT_PENDING, REBOOT_STARTED)
HARD_REBOOT_STATES = (REBOOTING_HARD, REBOOT_PENDING_HARD, REBOOT_STARTED_HARD)
RESIZE_STATES = (RESIZE_PREP, RESIZE_MIGRATING, RESIZE_MIGRATED, RESIZE_FINISH)

_STATUS = {
    BUILDING: 'BUILD', ACTIVE: 'ACTIVE', STOPPED: 'SHUTOFF', PAUSED: 'PAUSED',
    SUSPENDED: 'SUSPENDED', RESCUED: 'RESCUE', RESIZED: 'VERIFY_RESIZE', ERROR: 'ERROR',
    DELETED: 'DELETED', SOFT_DELETED: 'SOFT_DELETED', SHELVED: 'SHELVED',
    SHELVED_OFFLOADED: 'SHELVED_OFFLOADED',
}
_TASK_STATUS = {
    ACTIVE: dict([(t, 'REBOOT') for t in SOFT_REBOOT_STATES]
                 + [(t, 'HARD_REBOOT') for t in HARD_REBOOT_STATES]
                 + [(t, 'RESIZE') for t in RESIZE_STATES]
                 + [(REBUILDING, 'REBUILD'), (REBUILD_SPAWNING, 'REBUILD'),
                    (MIGRATING, 'MIGRATING')]),
    STOPPED: dict([(t, 'RESIZE') for t in RESIZE_STATES]
                  + [(REBUILDING, 'REBUILD'), (REBUILD_SPAWNING, 'REBUILD')]),
    RESIZED: {RESIZE_REVERTING: 'REVERT_RESIZE'},
    ERROR: {REBUILDING: 'REBUILD', REBUILD_SPAWNING: 'REBUILD'},
}


def status(vm_state, task_state):
    """The API's ``status`` of a server."""
    special = _TASK_STATUS.get(vm_state, {}).get(task_state)
    return special or _STATUS.get(vm_state, 'UNKNOWN')


def vm_states_for_status(value):
    """vm_states (and task_states, None: any) matching a ``status=`` filter; [] if unknown."""
    value = (value or '').upper()
    found = [(vm, None) for vm, st in _STATUS.items() if st == value]
    for vm, tasks in _TASK_STATUS.items():
        found += [(vm, task) for task, st in tasks.items() if st == value]
    return found


# action -> (allowed vm_states, allowed task_states (None means no task)).
_NO_TASK = (None,)
ALLOWED = {
    'stop': ((ACTIVE, RESCUED, ERROR), _NO_TASK),
    'start': ((STOPPED,), _NO_TASK),
    'reboot_soft': ((ACTIVE,), _NO_TASK),
    'reboot_hard': ((ACTIVE, STOPPED, PAUSED, SUSPENDED, ERROR),
                    _NO_TASK + SOFT_REBOOT_STATES + HARD_REBOOT_STATES),
    'pause': ((ACTIVE,), _NO_TASK),
    'unpause': ((PAUSED,), _NO_TASK),
    'suspend': ((ACTIVE,), _NO_TASK),
    'resume': ((SUSPENDED,), _NO_TASK),
    'rescue': ((ACTIVE, STOPPED, ERROR), _NO_TASK),
    'unrescue': ((RESCUED,), _NO_TASK),
    'rebuild': ((ACTIVE, STOPPED, ERROR), _NO_TASK),
    'resize': ((ACTIVE, STOPPED), _NO_TASK),
    'confirm_resize': ((RESIZED,), _NO_TASK),
    'revert_resize': ((RESIZED,), _NO_TASK),
    'create_image': ((ACTIVE, STOPPED, PAUSED, SUSPENDED), _NO_TASK),
    'restore': ((SOFT_DELETED,), _NO_TASK),
    'shelve': ((ACTIVE, STOPPED, PAUSED, SUSPENDED), _NO_TASK),
    'shelve_offload': ((SHELVED,), _NO_TASK),
    'unshelve': ((SHELVED, SHELVED_OFFLOADED), _NO_TASK),
    'attach_interface': ((ACTIVE, PAUSED, STOPPED), _NO_TASK),
    'detach_interface': ((ACTIVE, PAUSED, STOPPED), _NO_TASK),
    'attach_volume': ((ACTIVE, PAUSED, STOPPED), _NO_TASK),
    'detach_volume': ((ACTIVE, PAUSED, STOPPED), _NO_TASK),
    'console': ((ACTIVE, STOPPED, PAUSED, SUSPENDED, RESCUED, RESIZED, ERROR, SHELVED), None),
}


def check(action, instance):
    """Raise InstanceInvalidState unless ``action`` is allowed in the server's states."""
    from compute import exceptions
    vm_states, task_states = ALLOWED[action]
    name = action.split('_')[0] if action.startswith('reboot') else action
    if instance['vm_state'] not in vm_states:
        raise exceptions.InstanceInvalidState(instance['uuid'], name, 'vm_state',
                                              instance['vm_state'])
    if task_states is not None and instance.get('task_state') not in task_states:
        raise exceptions.InstanceInvalidState(instance['uuid'], name, 'task_state',
                                              instance['task_state'])


def addresses(network_info):
    """The server view's ``addresses``: {network name: [{addr, version, type, mac}]}."""
    result = {}
    for vif in network_info or []:
        entries = result.setdefault(vif.get('network_name') or vif.get('network_id'), [])
        for ip in vif.get('fixed_ips', []):
            entries.append({'addr': ip['address'], 'version': ip.get('version', 4),
                            'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': vif['mac']})
        for address in vif.get('floating_ips', []):
            entries.append({'addr': address, 'version': 6 if ':' in address else 4,
                            'OS-EXT-IPS:type': 'floating',
                            'OS-EXT-IPS-MAC:mac_addr': vif['mac']})
    return result
