"""Parser of the oslo.policy rule language.

Grammar (``not`` binds tighter than ``and``, which binds tighter than ``or``)::

    expr  := and ('or' and)*
    and   := not ('and' not)*
    not   := 'not' not | '(' expr ')' | check
    check := '@' | '!' | 'rule:' NAME | 'role:' VALUE | LEFT ':' VALUE

``LEFT`` is a credential key (dotted for nested values) or a literal (``'member'``, ``True``,
``42``); ``VALUE`` is a literal (``abc``, ``'abc'``) or contains ``%(key)s`` substitutions from
the target (``key`` may be dotted: ``%(target.project.id)s``). An empty rule always passes.
Keywords are case-insensitive; ``http:`` checks are rejected.
"""
from common.policy.checks import (AndCheck, FalseCheck, FieldCheck, GenericCheck, NotCheck,
                                  OrCheck, RoleCheck, RuleCheck, TrueCheck)
from common.policy.errors import PolicyError


def _tokenize(text):
    """Split a rule into '(' , ')' and words, keeping %(...)s and quoted text inside words.

    A character scanner rather than str.split() because parentheses of substitutions
    (``%(project_id)s``) and spaces inside quotes must not be taken as syntax.
    """
    tokens, word, i, n = [], [], 0, len(text)

    def flush():
        if word:
            tokens.append((''.join(word), start))
            word.clear()

    start = 0
    while i < n:
        char = text[i]
        if char.isspace() or char in '()':
            flush()
            if char in '()':
                tokens.append((char, i))
            i += 1
            continue
        if not word:
            start = i
        if char in '\'"':
            end = text.find(char, i + 1)
            if end < 0:
                raise PolicyError('unterminated quote at position %d' % i)
            word.append(text[i:end + 1])
            i = end + 1
        elif text.startswith('%(', i):
            end = text.find(')', i)
            if end < 0:
                raise PolicyError('unterminated substitution at position %d' % i)
            word.append(text[i:end + 1])
            i = end + 1
        else:
            word.append(char)
            i += 1
    flush()
    return tokens


def _parse_check(word):
    if word == '@':
        return TrueCheck()
    if word == '!':
        return FalseCheck()
    if word[0] in '\'"':  # quoted literal on the left may itself contain ':'
        end = word.index(word[0], 1)
        kind, sep, match = word[:end + 1], word[end + 1:end + 2], word[end + 2:]
    else:
        kind, sep, match = word.partition(':')
    if sep != ':' or not kind or not match:
        raise PolicyError('%r is not a check (expected kind:match, @ or !)' % word)
    if kind == 'rule':
        return RuleCheck(match)
    if kind == 'role':
        return RoleCheck(match)
    if kind == 'field':
        return FieldCheck(match)
    if kind in ('http', 'https'):
        raise PolicyError('%r: http checks are not supported' % word)
    return GenericCheck(kind, match)


class _Parser:
    """Recursive descent over the token list; raises PolicyError on the first problem."""

    def __init__(self, text):
        self.text = text
        self.tokens = _tokenize(text)
        self.pos = 0

    def peek(self):
        if self.pos < len(self.tokens):
            tok = self.tokens[self.pos][0]
            return tok.lower() if tok.lower() in ('and', 'or', 'not') else tok
        return None

    def error(self, what):
        if self.pos < len(self.tokens):
            tok, where = self.tokens[self.pos]
            return PolicyError('%s, found %r at position %d' % (what, tok, where))
        return PolicyError('%s, found end of rule' % what)

    def parse(self):
        if not self.tokens:
            return TrueCheck()
        check = self.parse_or()
        if self.pos < len(self.tokens):
            raise self.error("expected 'and', 'or' or end of rule")
        return check

    def _parse_chain(self, op, operand, cls):
        rules = [operand()]
        while self.peek() == op:
            self.pos += 1
            rules.append(operand())
        if len(rules) == 1:
            return rules[0]
        flat = []  # a and (b and c) == a and b and c: keeps str() short and canonical
        for r in rules:
            flat.extend(r.rules if isinstance(r, cls) else [r])
        return cls(flat)

    def parse_or(self):
        return self._parse_chain('or', self.parse_and, OrCheck)

    def parse_and(self):
        return self._parse_chain('and', self.parse_not, AndCheck)

    def parse_not(self):
        tok = self.peek()
        if tok == 'not':
            self.pos += 1
            return NotCheck(self.parse_not())
        if tok == '(':
            self.pos += 1
            check = self.parse_or()
            if self.peek() != ')':
                raise self.error("expected ')'")
            self.pos += 1
            return check
        if tok is None or tok in (')', 'and', 'or'):
            raise self.error('expected a check')
        self.pos += 1
        return _parse_check(self.tokens[self.pos - 1][0])


def parse_rule(text, name=None):
    """Parse a rule string into a Check; PolicyError (naming ``name`` if given) if malformed."""
    if not isinstance(text, str):
        raise PolicyError('policy rule %s must be a string, not %s'
                          % (name or '', type(text).__name__), rule=name)
    try:
        return _Parser(text).parse()
    except PolicyError as exc:
        if name is None:
            raise
        raise PolicyError('policy rule %s (%r): %s' % (name, text, exc), rule=name) from None
