"""Errors of the compute service; each is a common.exceptions class so the nova fault
wrapper renders it with its status code."""
from common import exceptions as exc


class InstanceNotFound(exc.NotFound):
    def __init__(self, uuid):
        super().__init__('Instance %s could not be found.' % uuid)


class InstanceActionNotFound(exc.NotFound):
    def __init__(self, request_id, uuid):
        super().__init__('Action for request_id %s on instance %s not found'
                         % (request_id, uuid))


class FlavorNotFound(exc.NotFound):
    def __init__(self, flavor_id):
        super().__init__('Flavor %s could not be found.' % flavor_id)


class ImageNotFound(exc.NotFound):
    def __init__(self, image_id):
        super().__init__('Image %s could not be found.' % image_id)


class KeypairNotFound(exc.NotFound):
    def __init__(self, name, user_id=None):
        super().__init__('Keypair %s not found for user %s' % (name, user_id))


class ServerGroupNotFound(exc.NotFound):
    def __init__(self, group_id):
        super().__init__('Instance group %s could not be found.' % group_id)


class InvalidRequest(exc.BadRequest):
    """A create/action request naming something unusable (flavor, image, network, ...)."""


class InstanceInvalidState(exc.Conflict):
    def __init__(self, uuid, action, attr, state):
        super().__init__("Cannot '%s' instance %s while it is in %s %s"
                         % (action, uuid, attr, state))


class InstanceLocked(exc.Conflict):
    def __init__(self, uuid):
        super().__init__('Instance %s is locked' % uuid)


class InstanceNotReady(exc.Conflict):
    def __init__(self, uuid):
        super().__init__('Instance %s is not ready' % uuid)


class PortInUse(exc.Conflict):
    def __init__(self, port_id):
        super().__init__('Port %s is still in use.' % port_id)


class QuotaExceeded(exc.Forbidden):
    def __init__(self, resource, requested, used, allowed):
        super().__init__('Quota exceeded for %s: Requested %d, but already used %d of %d %s'
                         % (resource, requested, used, allowed, resource))
        self.resource = resource


class MarkerNotFound(exc.BadRequest):
    def __init__(self, marker):
        super().__init__('marker [%s] not found' % marker)


class NoValidHost(Exception):
    """No host can take the server (becomes the server's ERROR fault)."""
    code = 500

    def __init__(self, reason=''):
        super().__init__('No valid host was found. %s' % reason)


class UnexpectedTaskState(exc.Conflict):
    def __init__(self, uuid, expected, actual):
        super().__init__('Conflict updating instance %s. Expected: %s. Actual: %s'
                         % (uuid, expected, actual))
        self.actual = actual


class BuildAbort(Exception):
    """The build failed in a way another host would not fix (no reschedule)."""


class RescheduledBuild(Exception):
    """The build failed here; the conductor tries another host."""
