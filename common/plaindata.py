"""Plain dataclasses that travel over RPC: ``to_dict`` / ``from_dict`` (nested ones too).

The driver layers (compute's virt drivers, block storage's volume drivers) take and return
such dataclasses, so a manager can hand them a dict from RPC or the database and get back
values it can send on.  Each family names the exception a bad input raises
(``invalid_error``), so a malformed dict is that family's "invalid input", never a TypeError.
"""
import dataclasses
import typing

from common import validators


class Plain:
    """Base of a family of plain dataclasses; subclasses set ``invalid_error``."""

    invalid_error = ValueError

    def to_dict(self):
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data):
        """An instance from its dict form (an instance passes through); unknown keys are
        ignored, so callers may send more than a class knows."""
        if isinstance(data, cls):
            return data
        if not isinstance(data, dict):
            raise cls.invalid_error('%s must be an object' % cls.__name__)
        hints = typing.get_type_hints(cls)
        kwargs = {}
        for f in dataclasses.fields(cls):
            if f.name in data:
                kwargs[f.name] = _convert(hints[f.name], data[f.name])
        try:
            return cls(**kwargs)
        except TypeError as exc:
            raise cls.invalid_error('%s: %s' % (cls.__name__, exc)) from None


def _convert(hint, value):
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union:   # Optional[X]
        inner = [a for a in args if a is not type(None)]
        return None if value is None else _convert(inner[0], value)
    if origin is list and args and isinstance(args[0], type) and issubclass(args[0], Plain):
        return [args[0].from_dict(v) for v in value or []]
    if isinstance(hint, type) and issubclass(hint, Plain):
        return hint.from_dict(value)
    return value


def checked(error, field, func, value, *args):
    """``func(value, field, *args)`` (a common.validators function), its InvalidValue
    turned into ``error`` with the same message."""
    try:
        return func(value, field, *args)
    except validators.InvalidValue as exc:
        raise error(str(exc)) from None
