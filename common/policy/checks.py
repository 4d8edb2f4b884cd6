"""The nodes of a parsed rule: each is called with (target, creds, enforcer) and returns a bool.

``_stack`` carries the names of the rules being evaluated, so ``rule:`` references that loop
back (``a: rule:b``, ``b: rule:a``) are denied instead of recursing forever.
"""
import ast
import logging
import re

from common.policy.errors import PolicyError

LOG = logging.getLogger(__name__)

_SUBST_RE = re.compile(r'%\(([^)]*)\)s')
_MISSING = object()


def _lookup(obj, key):
    """Value of a dotted key in nested mappings, or _MISSING.

    Tries the whole key first, then every split at a dot, so both flat targets
    ({'target.user.id': x}) and nested ones ({'target': {'user': {'id': x}}}) work.
    """
    if not hasattr(obj, 'get'):
        return _MISSING
    value = obj.get(key, _MISSING)
    if value is not _MISSING:
        return value
    for i, char in enumerate(key):
        if char == '.' and key[:i] in obj:
            value = _lookup(obj[key[:i]], key[i + 1:])
            if value is not _MISSING:
                return value
    return _MISSING


def _find_all(obj, key):
    """Every value at a dotted key in credentials, descending into lists like oslo.policy.

    Credentials may hold lists of mappings (e.g. groups), and ``groups.name:ops`` should
    match if any element does.
    """
    if isinstance(obj, (list, tuple)):
        return [v for item in obj for v in _find_all(item, key)]
    if not hasattr(obj, 'get'):
        return []
    found = [obj[key]] if key in obj else []
    for i, char in enumerate(key):
        if char == '.' and key[:i] in obj:
            found += _find_all(obj[key[:i]], key[i + 1:])
    return found


def _unquote(text):
    if len(text) >= 2 and text[0] == text[-1] and text[0] in '\'"':
        return text[1:-1]
    return text


class _Value:
    """The right-hand side of a check: a literal or a template filled from the target."""

    def __init__(self, text):
        self.text = text
        quoted = _unquote(text)
        if quoted is not text:
            self.parts = [quoted]  # quoted: never substituted
            return
        self.parts = []
        pos = 0
        for m in _SUBST_RE.finditer(text):
            if not m.group(1):
                raise PolicyError('empty substitution in %r' % text)
            self.parts += [text[pos:m.start()], (m.group(1),)]
            pos = m.end()
        self.parts.append(text[pos:])
        if '%(' in ''.join(p for p in self.parts if isinstance(p, str)):
            raise PolicyError('unterminated substitution in %r' % text)

    def render(self, target):
        """The value as a string, or None when a substituted target key is missing or None."""
        out = []
        for part in self.parts:
            if isinstance(part, tuple):
                value = _lookup(target, part[0])
                # None must not match: 'None' == str(None) would let a missing owner match anyone.
                if value is _MISSING or value is None:
                    return None
                part = str(value)
            out.append(part)
        return ''.join(out)


def _matches(value, expected):
    """Does a credential value equal the expected string (any element of a list)?"""
    if value is None:
        return False
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(_matches(v, expected) for v in value)
    if isinstance(value, bool):
        return str(value).lower() == expected.lower()
    return str(value) == expected


class Check:
    """Base of the parsed rule tree; subclasses implement __call__ and __str__."""

    def __call__(self, target, creds, enforcer, _stack=()):
        raise NotImplementedError

    def __repr__(self):
        return '<%s %s>' % (type(self).__name__, self)

    def __eq__(self, other):
        return type(self) is type(other) and str(self) == str(other)

    def __hash__(self):
        return hash((type(self).__name__, str(self)))


class TrueCheck(Check):
    def __call__(self, target, creds, enforcer, _stack=()):
        return True

    def __str__(self):
        return '@'


class FalseCheck(Check):
    def __call__(self, target, creds, enforcer, _stack=()):
        return False

    def __str__(self):
        return '!'


class RoleCheck(Check):
    """``role:NAME``: the caller has the role; names compare case-insensitively."""

    def __init__(self, match):
        self.match = _Value(match)

    def __call__(self, target, creds, enforcer, _stack=()):
        wanted = self.match.render(target)
        if wanted is None:
            return False
        wanted = wanted.lower()
        for role in creds.get('roles') or ():
            name = role.get('name') if isinstance(role, dict) else role
            if isinstance(name, str) and name.lower() == wanted:
                return True
        return False

    def __str__(self):
        return 'role:%s' % self.match.text


class RuleCheck(Check):
    """``rule:NAME``: another rule of the enforcer; unknown or recursive references are False."""

    def __init__(self, match):
        self.match = match

    def __call__(self, target, creds, enforcer, _stack=()):
        if self.match in _stack:
            LOG.warning('Policy rule %s references itself through %s; treating as denied',
                        self.match, ' -> '.join(_stack))
            return False
        check = enforcer.rules.get(self.match) if enforcer is not None else None
        if check is None:
            LOG.warning('Policy rule %s references unknown rule %s; treating as denied',
                        _stack[-1] if _stack else '<inline>', self.match)
            return False
        return check(target, creds, enforcer, _stack + (self.match,))

    def __str__(self):
        return 'rule:%s' % self.match


class GenericCheck(Check):
    """``LEFT:VALUE``: a credential value (or literal) equals a literal (or target value)."""

    _KEY_RE = re.compile(r'^[A-Za-z_][\w.\-]*$')

    def __init__(self, kind, match):
        self.kind = kind
        self.match = _Value(match)
        self.literal = None
        if kind[0] in '\'"':
            self.literal = _unquote(kind)
        elif not self._KEY_RE.match(kind) or kind in ('True', 'False'):
            try:
                literal = ast.literal_eval(kind)
            except (ValueError, SyntaxError):
                raise PolicyError('invalid credential key %r' % kind) from None
            if not isinstance(literal, (bool, int, float, str)):
                raise PolicyError('invalid literal %r' % kind)
            self.literal = str(literal)

    def __call__(self, target, creds, enforcer, _stack=()):
        expected = self.match.render(target)
        if expected is None:
            return False
        if self.literal is not None:
            return self.literal == expected
        return any(_matches(v, expected) for v in _find_all(creds, self.kind))

    def __str__(self):
        return '%s:%s' % (self.kind, self.match.text)


class FieldCheck(Check):
    """``field:RESOURCE:ATTR=VALUE``: the target's attribute equals VALUE, or matches the
    regular expression after ``~`` (``field:port:device_owner=~^network:``), as in Neutron.
    It decides on what the resource holds (or will hold), not on who asks."""

    def __init__(self, match):
        resource, _, rest = match.partition(':')
        attr, sep, value = rest.partition('=')
        if not resource or not attr or not sep:
            raise PolicyError('%r is not field:RESOURCE:ATTR=VALUE' % match)
        self.text = match
        self.attr = attr
        self.regex = re.compile(value[1:]) if value.startswith('~') else None
        self.value = value

    def __call__(self, target, creds, enforcer, _stack=()):
        actual = _lookup(target, self.attr)
        if actual is _MISSING or actual is None:
            return False
        if self.regex is not None:
            return bool(self.regex.search(str(actual)))
        return _matches(actual, self.value)

    def __str__(self):
        return 'field:%s' % self.text


class NotCheck(Check):
    def __init__(self, rule):
        self.rule = rule

    def __call__(self, target, creds, enforcer, _stack=()):
        return not self.rule(target, creds, enforcer, _stack)

    def __str__(self):
        inner = str(self.rule)
        if isinstance(self.rule, (AndCheck, OrCheck)):
            inner = '(%s)' % inner
        return 'not %s' % inner


class AndCheck(Check):
    def __init__(self, rules):
        self.rules = rules

    def __call__(self, target, creds, enforcer, _stack=()):
        return all(r(target, creds, enforcer, _stack) for r in self.rules)

    def __str__(self):
        # Only an 'or' inside an 'and' needs parentheses to keep its meaning.
        return ' and '.join('(%s)' % r if isinstance(r, OrCheck) else str(r) for r in self.rules)


class OrCheck(Check):
    def __init__(self, rules):
        self.rules = rules

    def __call__(self, target, creds, enforcer, _stack=()):
        return any(r(target, creds, enforcer, _stack) for r in self.rules)

    def __str__(self):
        return ' or '.join(str(r) for r in self.rules)
