"""Exceptions raised by the RPC layer to its callers."""


class MessagingException(Exception):
    """Base class of every error raised by common.rpc."""


class MessagingTimeout(MessagingException):
    """A call got no reply within its timeout."""


class MessagingUnavailable(MessagingException):
    """The broker could not be reached before the retry deadline passed."""


class InvalidTransportURL(MessagingException):
    """The transport URL has an unknown scheme or option."""


class InvalidTarget(MessagingException, ValueError):
    """The target cannot be used for this operation (e.g. call with fanout)."""


class NoSuchMethod(MessagingException):
    """No endpoint exposes the requested method (raised on the server side).

    The caller sees it as ``RemoteError('NoSuchMethod', ...)``.
    """


class RemoteError(MessagingException):
    """An exception raised by the remote endpoint, re-raised at the caller.

    Only the exception's type name, message and formatted traceback travel:
    the caller need not be able to import the remote exception class.
    """

    def __init__(self, exc_type, message, traceback=None):
        self.exc_type = exc_type
        self.message = message
        self.traceback = traceback
        super().__init__(exc_type, message, traceback)

    def __str__(self):
        return '%s: %s' % (self.exc_type, self.message)
