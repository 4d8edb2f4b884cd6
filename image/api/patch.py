"""JSON Patch for images (media type application/openstack-images-v2.1-json-patch).

Each operation names one attribute (``/name``, ``/tags``, ``/my_property``); Glance's rules
apply: read-only and reserved attributes answer 403, core attributes cannot be removed,
replacing or removing a custom property that does not exist answers 409.
"""
from common import exceptions
from common import validation
from common import validators
from image.api import schemas

MEDIA_TYPES = ('application/openstack-images-v2.1-json-patch',
               'application/openstack-images-v2.0-json-patch')
OPS = ('add', 'remove', 'replace')


def check_writable(name):
    """403 for attributes clients may never set."""
    if name in schemas.RESERVED or name.startswith(schemas.RESERVED_PREFIX):
        raise exceptions.Forbidden("Attribute '%s' is reserved." % name)
    if name in schemas.READ_ONLY or name == 'locations':
        raise exceptions.Forbidden("Attribute '%s' is read-only." % name)


def _decode_path(path, index):
    if not isinstance(path, str) or not path.startswith('/'):
        raise exceptions.BadRequest("Change %d: 'path' must be a JSON pointer such as "
                                    "'/name', got %s." % (index, validators.quote(path)))
    parts = path[1:].split('/')
    if len(parts) != 1 or not parts[0]:
        raise exceptions.BadRequest("Change %d: path %s is not allowed; images take paths "
                                    "of exactly one attribute." % (index, validators.quote(path)))
    return parts[0].replace('~1', '/').replace('~0', '~')


def _long_form(change, index):
    """Glance's v2.1 short form names the op as the key of the path
    (``{"replace": "/name", "value": "x"}``); turn it into ``{"op", "path", "value"}``."""
    if 'op' in change:
        return change
    named = [op for op in OPS if op in change]
    if len(named) != 1:
        return change           # the op check below names what is wrong
    out = {k: v for k, v in change.items() if k != named[0]}
    out.update(op=named[0], path=change[named[0]])
    return out


def parse(body):
    """``[(op, name, value)]`` of a patch document, or a 400 naming the bad change."""
    if not isinstance(body, list):
        raise exceptions.BadRequest('A JSON Patch body must be a list of changes.')
    changes = []
    for index, change in enumerate(body):
        if not isinstance(change, dict):
            raise exceptions.BadRequest('Change %d is not a JSON object.' % index)
        change = _long_form(change, index)
        op = change.get('op')
        if op not in OPS:
            raise exceptions.BadRequest("Change %d: 'op' must be one of %s, got %s."
                                        % (index, ', '.join(OPS), validators.quote(op)))
        unknown = set(change) - {'op', 'path', 'value'}
        if unknown:
            raise exceptions.BadRequest('Change %d: unexpected keys %s.' % (
                index, ', '.join(validators.quote(k) for k in sorted(unknown)[:3])))
        name = _decode_path(change.get('path'), index)
        if op != 'remove' and 'value' not in change:
            raise exceptions.BadRequest("Change %d: '%s' needs a 'value'." % (index, op))
        if op == 'remove' and 'value' in change:
            raise exceptions.BadRequest("Change %d: 'remove' takes no 'value'." % index)
        changes.append((op, name, change.get('value')))
    return changes


def _check_text(value, field, multiline):
    try:
        validators.text(value, field, multiline=multiline)
    except validators.InvalidValue as exc:
        raise exceptions.BadRequest(exc.message)


def apply(core, props, changes):
    """Apply ``changes`` to copies of ``core`` (client-settable columns) and ``props``
    (custom properties); return the new pair, validated."""
    core, props = dict(core), dict(props)
    for op, name, value in changes:
        check_writable(name)
        if name in schemas.CORE:
            if op == 'remove':
                raise exceptions.Forbidden("Attribute '%s' is a core attribute and cannot be "
                                           "removed." % name)
            spec = dict(schemas.CREATE['properties'][name])
            validation.validate({'type': 'object', 'properties': {name: spec}}, {name: value})
            core[name] = sorted(set(value)) if name == 'tags' else value
            continue
        if len(name) > 255:
            raise exceptions.BadRequest('Property names are at most 255 characters.')
        _check_text(name, 'property name', multiline=False)
        if op == 'remove':
            if name not in props:
                raise exceptions.Conflict('Property %s does not exist.' % name)
            del props[name]
            continue
        if op == 'replace' and name not in props:
            raise exceptions.Conflict('Property %s does not exist.' % name)
        if not isinstance(value, str):
            raise exceptions.BadRequest("Invalid input for field '%s': %s is not a string "
                                        "(custom properties hold strings)."
                                        % (name, validators.quote(value)))
        if len(value) > 65535:
            raise exceptions.BadRequest("Value of property '%s' is longer than 65535 "
                                        "characters." % name)
        _check_text(value, "property '%s'" % name, multiline=True)
        props[name] = value
    return core, props
