"""Errors that map to HTTP status codes; the fault middleware renders them per API style."""


class APIError(Exception):
    """Base of every error a client should see; ``code`` is the HTTP status."""

    code = 500
    title = 'Internal Server Error'

    def __init__(self, message=None, **extra):
        self.message = message or self.title
        self.extra = extra
        super().__init__(self.message)


class BadRequest(APIError):
    code, title = 400, 'Bad Request'


class ValidationError(BadRequest):
    """The request body or query failed validation; the message names the field."""


class Unauthorized(APIError):
    code, title = 401, 'Unauthorized'


class Forbidden(APIError):
    code, title = 403, 'Forbidden'


class NotFound(APIError):
    code, title = 404, 'Not Found'


class MethodNotAllowed(APIError):
    code, title = 405, 'Method Not Allowed'


class NotAcceptable(APIError):
    code, title = 406, 'Not Acceptable'


class Conflict(APIError):
    code, title = 409, 'Conflict'


class Gone(APIError):
    code, title = 410, 'Gone'


class LengthRequired(APIError):
    code, title = 411, 'Length Required'


class PreconditionFailed(APIError):
    code, title = 412, 'Precondition Failed'


class RequestEntityTooLarge(APIError):
    code, title = 413, 'Request Entity Too Large'


class UnsupportedMediaType(APIError):
    code, title = 415, 'Unsupported Media Type'


class RangeNotSatisfiable(APIError):
    code, title = 416, 'Requested Range Not Satisfiable'


class UnprocessableEntity(APIError):
    code, title = 422, 'Unprocessable Entity'


class TooManyRequests(APIError):
    code, title = 429, 'Too Many Requests'


class NotImplementedYet(APIError):
    code, title = 501, 'Not Implemented'


class ServiceUnavailable(APIError):
    code, title = 503, 'Service Unavailable'


BY_CODE = {cls.code: cls for cls in (
    BadRequest, Unauthorized, Forbidden, NotFound, MethodNotAllowed, NotAcceptable,
    Conflict, Gone, LengthRequired, PreconditionFailed, RequestEntityTooLarge,
    UnsupportedMediaType, RangeNotSatisfiable, UnprocessableEntity, TooManyRequests,
    NotImplementedYet, ServiceUnavailable)}


def for_status(code, message=None):
    """An APIError instance for an HTTP status code."""
    cls = BY_CODE.get(code, APIError)
    err = cls(message)
    err.code = code
    return err
