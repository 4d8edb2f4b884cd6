"""Request validation against JSON schemas, with errors that name the offending field."""
import jsonschema

from common import exceptions

_VALIDATOR = jsonschema.Draft7Validator


def _field_path(error):
    path = '/'.join(str(p) for p in error.absolute_path)
    return path or '(body)'


def _message(error):
    field = _field_path(error)
    if error.validator == 'required':
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        where = field if field != '(body)' else 'the request body'
        return "Missing required field '%s' in %s." % (missing, where)
    if error.validator == 'additionalProperties':
        return 'Invalid input for %s: %s' % (field, error.message)
    return "Invalid input for field '%s': %s" % (field, error.message)


def validate(schema, data):
    """Raise ``ValidationError`` (400) naming the first bad field, deepest first."""
    errors = sorted(_VALIDATOR(schema).iter_errors(data),
                    key=lambda e: (-len(list(e.absolute_path)), e.message))
    if errors:
        raise exceptions.ValidationError(_message(errors[0]))
    return data


def name(max_length=255, min_length=1):
    """A schema for a human-readable name."""
    return {'type': 'string', 'minLength': min_length, 'maxLength': max_length}


ID = {'type': 'string', 'minLength': 1, 'maxLength': 64}
NULLABLE_ID = {'type': ['string', 'null'], 'minLength': 1, 'maxLength': 64}
BOOLEAN = {'type': 'boolean'}
DESCRIPTION = {'type': ['string', 'null'], 'maxLength': 65535}


def query_int(req, name, default=None, minimum=0, maximum=None):
    """An integer query parameter, or a 400 naming it."""
    raw = req.GET.get(name)
    if raw is None or raw == '':
        return default
    try:
        value = int(raw)
    except ValueError:
        raise exceptions.BadRequest("Query parameter '%s' must be an integer, got %r." % (name, raw))
    if value < minimum or (maximum is not None and value > maximum):
        raise exceptions.BadRequest("Query parameter '%s' must be between %s and %s."
                                    % (name, minimum, maximum if maximum is not None else 'any'))
    return value


def query_bool(req, name, default=None):
    """A boolean query parameter (true/false/1/0/yes/no), or a 400 naming it."""
    raw = req.GET.get(name)
    if raw is None:
        return default
    low = raw.strip().lower()
    if low in ('', 'true', '1', 'yes', 'on'):
        return True
    if low in ('false', '0', 'no', 'off'):
        return False
    raise exceptions.BadRequest("Query parameter '%s' must be a boolean, got %r." % (name, raw))
