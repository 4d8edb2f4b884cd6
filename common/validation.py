"""Request validation against JSON schemas, with errors that name the offending field.

Schemas reach the strict validators of ``common.validators`` through ``format``:
``ip-address``, ``cidr``, ``ip-or-cidr``, ``mac-address``, ``uuid``, ``name`` (one line of
text) and ``text`` (text that may span lines). Messages quote at most a short prefix of a
bad value.
"""
import jsonschema

from common import exceptions
from common import validators

_VALIDATOR = jsonschema.Draft7Validator
# Longest message a validation error produces, whatever the request held.
MESSAGE_MAX = 300

FORMAT_CHECKER = jsonschema.FormatChecker(formats=())


def _format(name, check):
    @FORMAT_CHECKER.checks(name, raises=validators.InvalidValue)
    def _check(value):
        # Formats apply to strings only; "type" speaks for the others.
        if isinstance(value, str):
            check(value)
        return True
    return _check


for _name, _check in (('ip-address', validators.ip_address),
                      ('cidr', validators.ip_network),
                      ('ip-or-cidr', validators.ip_address_or_network),
                      ('mac-address', validators.mac_address),
                      ('uuid', validators.uuid),
                      ('name', validators.text),
                      ('text', lambda v: validators.text(v, multiline=True))):
    _format(_name, _check)


def _field_path(error):
    path = '/'.join(validators.quote(p) if not isinstance(p, int) and len(str(p)) > 64
                    else str(p) for p in error.absolute_path)
    return path or '(body)'


def _cap(message):
    if len(message) <= MESSAGE_MAX:
        return message
    return message[:MESSAGE_MAX] + '...'


def _explain(error):
    """What is wrong, quoting at most a short prefix of the value."""
    value = validators.quote(error.instance)
    kind = error.validator
    if kind == 'format' and isinstance(error.cause, validators.InvalidValue):
        return error.cause.problem
    if kind == 'maxLength':
        return '%s is too long (at most %d characters)' % (value, error.validator_value)
    if kind == 'minLength':
        return '%s is too short (at least %d characters)' % (value, error.validator_value)
    if kind in ('maxItems', 'maxProperties'):
        return 'too many items (at most %d)' % error.validator_value
    if kind == 'additionalProperties' and isinstance(error.instance, dict):
        known = set(error.schema.get('properties', {}))
        extra = sorted(k for k in error.instance if k not in known)
        names = ', '.join(validators.quote(k) for k in extra[:3])
        more = ' and %d more' % (len(extra) - 3) if len(extra) > 3 else ''
        return 'Additional properties are not allowed (%s%s unexpected)' % (names, more)
    if kind == 'type':
        return '%s is not of type %s' % (value, ', '.join(
            repr(t) for t in ([error.validator_value] if isinstance(error.validator_value, str)
                              else error.validator_value)))
    # jsonschema quotes the whole value; put the short quote in its place.
    return error.message.replace(repr(error.instance), value)


def _message(error):
    field = _field_path(error)
    if error.validator == 'required':
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        where = field if field != '(body)' else 'the request body'
        return _cap("Missing required field '%s' in %s." % (missing, where))
    if error.validator == 'additionalProperties':
        return _cap('Invalid input for %s: %s' % (field, _explain(error)))
    return _cap("Invalid input for field '%s': %s" % (field, _explain(error)))


def validate(schema, data):
    """Raise ``ValidationError`` (400) naming the first bad field, deepest first."""
    errors = sorted(_VALIDATOR(schema, format_checker=FORMAT_CHECKER).iter_errors(data),
                    key=lambda e: (-len(list(e.absolute_path)), e.message))
    if errors:
        raise exceptions.ValidationError(_message(errors[0]))
    return data


def name(max_length=255, min_length=1):
    """A schema for a human-readable name (one line, no control characters)."""
    return {'type': 'string', 'minLength': min_length, 'maxLength': max_length,
            'format': 'name'}


ID = {'type': 'string', 'minLength': 1, 'maxLength': 64, 'format': 'name'}
NULLABLE_ID = {'type': ['string', 'null'], 'minLength': 1, 'maxLength': 64, 'format': 'name'}
BOOLEAN = {'type': 'boolean'}
DESCRIPTION = {'type': ['string', 'null'], 'maxLength': 65535, 'format': 'text'}


def query_int(req, name, default=None, minimum=0, maximum=None):
    """An integer query parameter, or a 400 naming it."""
    raw = req.GET.get(name)
    if raw is None or raw == '':
        return default
    try:
        value = int(raw)
    except ValueError:
        raise exceptions.BadRequest("Query parameter '%s' must be an integer, got %s."
                                    % (name, validators.quote(raw)))
    if value < minimum or (maximum is not None and value > maximum):
        raise exceptions.BadRequest("Query parameter '%s' must be between %s and %s."
                                    % (name, minimum, maximum if maximum is not None else 'any'))
    return value


def query_bool(req, name, default=None):
    """A boolean query parameter, or a 400 naming it: the spellings OpenStack's services
    take (true/t/yes/y/on/1 and false/f/no/n/off/0, any case)."""
    raw = req.GET.get(name)
    if raw is None:
        return default
    low = raw.strip().lower()
    if low in ('', 'true', 't', '1', 'yes', 'y', 'on'):
        return True
    if low in ('false', 'f', '0', 'no', 'n', 'off'):
        return False
    raise exceptions.BadRequest("Query parameter '%s' must be a boolean, got %s."
                                % (name, validators.quote(raw)))


def query_dict(req, name):
    """A query parameter holding a flat dict of strings, or None when absent; a 400 naming
    it otherwise. Cinder's clients send it as JSON or as a Python literal (the ``str()`` of
    a dict, as tempest does); the literal is parsed by ``ast.literal_eval``, which builds
    only constants, never calls anything."""
    import ast
    import json
    raw = req.GET.get(name)
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        try:
            value = ast.literal_eval(raw) if len(raw) <= 4096 else None
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            value = None
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise exceptions.BadRequest("Query parameter '%s' must be an object of strings, got "
                                    "%s." % (name, validators.quote(raw)))
    return value
