"""The message envelopes exchanged by clients and servers.

A request is ``{"version", "method", "args", "context"}``; a call adds
``"msg_id"`` (the correlation id) and ``"reply_to"`` (the caller's reply
queue). A reply is ``{"msg_id", "result", "failure"}`` where failure is
None or ``{"exc_type", "message", "traceback"}``. ``version`` is the
client's API version, carried now so servers can check it later without
a format change.
"""

import traceback as traceback_mod

from common.rpc import exceptions


def context_to_dict(ctxt):
    """Accept a dict, an object with ``to_dict()``, or None."""
    if ctxt is None:
        return {}
    if isinstance(ctxt, dict):
        return dict(ctxt)
    to_dict = getattr(ctxt, 'to_dict', None)
    if callable(to_dict):
        return to_dict()
    raise TypeError('RPC context must be a dict or have to_dict(), got %s'
                    % type(ctxt).__name__)


def make_request(ctxt, method, args, version):
    if not isinstance(method, str) or not method:
        raise ValueError('method must be a non-empty string')
    return {'version': version, 'method': method, 'args': args,
            'context': context_to_dict(ctxt)}


def is_call(request):
    return bool(request.get('msg_id') and request.get('reply_to'))


def make_result(result):
    return {'result': result, 'failure': None}


def make_failure(exc):
    """Describe ``exc`` (being handled) so the caller can re-raise it."""
    return {'result': None, 'failure': {
        'exc_type': type(exc).__name__,
        'message': str(exc),
        'traceback': traceback_mod.format_exc(),
    }}


def unpack_reply(reply):
    """Return the result of a reply, or raise its failure as RemoteError."""
    failure = reply.get('failure')
    if failure:
        raise exceptions.RemoteError(failure.get('exc_type', 'Exception'),
                                     failure.get('message', ''),
                                     failure.get('traceback'))
    return reply.get('result')
