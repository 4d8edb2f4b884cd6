"""The Enforcer: a service's rules (defaults in code, overrides from YAML) and their checking."""
import logging
import os
import threading
import time

import yaml

from common.policy.checks import Check
from common.policy.errors import PolicyError, PolicyNotAuthorized, PolicyNotRegistered
from common.policy.parser import parse_rule

LOG = logging.getLogger(__name__)


class RuleDefault:
    """A rule as defined in code; ``etc/<service>/policy.yaml`` may override its check string."""

    def __init__(self, name, check_str, description='', operations=None, scope_types=None):
        self.name = name
        self.check_str = check_str
        self.description = description
        # Documentation only (sample policy files, API reference); not enforced here.
        self.operations = operations or []
        self.scope_types = scope_types
        self.check = parse_rule(check_str, name=name)

    def __repr__(self):
        return 'RuleDefault(%r, %r)' % (self.name, self.check_str)


def _credentials(creds):
    if creds is None:
        return {}
    if hasattr(creds, 'to_policy_values'):
        return creds.to_policy_values()
    return creds


class Enforcer:
    """Holds a service's rules and answers enforce() / authorize() against them.

    Rules are the registered defaults overridden by ``policy_file`` (YAML, or JSON which is
    YAML) and by set_rules(). The file is re-read when it changes, checked at most every
    ``reload_interval`` seconds, so operators can edit policy without restarting services.
    """

    def __init__(self, policy_file=None, defaults=(), default_rule=None, reload_interval=1.0):
        self.policy_file = policy_file
        self.default_rule = default_rule
        self.reload_interval = reload_interval
        self.registered_rules = {}
        self._overrides = {}     # from set_rules(); survive file reloads
        self._file_rules = None  # last good parse of policy_file; None until one succeeds
        self._file_sig = None    # (mtime, size, inode) of the file last read
        self._last_stat = None   # monotonic time of the last stat; bounds stats per interval
        self._merged = None      # defaults + file + overrides; None when it must be rebuilt
        self._lock = threading.RLock()
        self.register_defaults(defaults)

    # registration ---------------------------------------------------------
    def register_default(self, default):
        if default.name in self.registered_rules:
            raise PolicyError('policy rule %s registered twice' % default.name, default.name)
        self.registered_rules[default.name] = default
        self._merged = None

    def register_defaults(self, defaults):
        for default in defaults:
            self.register_default(default)

    def set_rules(self, rules, overwrite=False):
        """Override rules in memory (name -> rule string or Check), e.g. from tests."""
        parsed = {name: rule if isinstance(rule, Check) else parse_rule(rule, name=name)
                  for name, rule in rules.items()}
        with self._lock:
            self._overrides = parsed if overwrite else {**self._overrides, **parsed}
            self._merged = None

    # loading ----------------------------------------------------------------
    def _stat(self):
        try:
            st = os.stat(self.policy_file)
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _read_file(self):
        try:
            with open(self.policy_file, encoding='utf-8') as f:
                data = yaml.safe_load(f)
        except FileNotFoundError:
            # Policy lives in code; a file is only needed to change it.
            return {}
        except yaml.YAMLError as exc:
            raise PolicyError('policy file %s is not valid YAML: %s'
                              % (self.policy_file, exc)) from None
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise PolicyError('policy file %s must be a mapping of rule name to rule string'
                              % self.policy_file)
        rules = {}
        for name, text in data.items():
            if not isinstance(name, str):
                raise PolicyError('policy file %s: rule name %r is not a string'
                                  % (self.policy_file, name))
            try:
                rules[name] = parse_rule(text, name=name)
            except PolicyError as exc:
                raise PolicyError('%s: %s' % (self.policy_file, exc), rule=name) from None
        if rules:
            LOG.info('Loaded %d policy rules from %s', len(rules), self.policy_file)
        return rules

    def load_rules(self, force=False):
        """Re-read the policy file if forced or changed (stat at most once per interval).

        Raises PolicyError for a malformed file; the previous rules then stay in effect.
        """
        with self._lock:
            try:
                now = time.monotonic()
                if (force or self._file_rules is None or self._last_stat is None
                        or now - self._last_stat >= self.reload_interval):
                    self._last_stat = now
                    sig = self._stat() if self.policy_file else None
                    if force or self._file_rules is None or sig != self._file_sig:
                        # Recorded before parsing: a broken edit is reported once, not per request.
                        self._file_sig = sig
                        self._file_rules = self._read_file() if self.policy_file else {}
                        self._merged = None
            finally:
                # Even after a failed read: set_rules() and new defaults still apply.
                if self._merged is None and self._file_rules is not None:
                    merged = {name: d.check for name, d in self.registered_rules.items()}
                    merged.update(self._file_rules)
                    merged.update(self._overrides)
                    self._merged = merged

    @property
    def rules(self):
        """Rule name -> parsed Check, with file and set_rules() overrides applied."""
        try:
            self.load_rules()
        except PolicyError:
            if self._merged is None:
                raise  # never had a good file: fail closed rather than guess
            # A bad edit must not take a running service down: keep the last good rules.
            LOG.exception('Policy file %s is invalid; keeping the previous rules',
                          self.policy_file)
        return self._merged

    # enforcement ----------------------------------------------------------
    def enforce(self, rule, target, creds, do_raise=False):
        """True if ``creds`` satisfy ``rule`` (a name, or a Check) for ``target``.

        An unknown rule name falls back to ``default_rule`` if set, else denies.
        With ``do_raise``, a denial raises PolicyNotAuthorized instead of returning False.
        """
        rules = self.rules
        creds = _credentials(creds)
        target = target if target is not None else {}
        if isinstance(rule, Check):
            result = rule(target, creds, self)
        else:
            name = rule
            if name not in rules and self.default_rule in rules:
                name = self.default_rule
            if name in rules:
                result = rules[name](target, creds, self, (name,))
            else:
                LOG.warning('Policy rule %s is not defined; denying', rule)
                result = False
        if not result and do_raise:
            raise PolicyNotAuthorized(str(rule))
        return bool(result)

    def authorize(self, rule, target, creds):
        """enforce() with do_raise=True, for rules that code registered."""
        if rule not in self.registered_rules:
            raise PolicyNotRegistered(rule)
        return self.enforce(rule, target, creds, do_raise=True)

    def check_is_admin(self, creds):
        """Whether ``creds`` pass the ``context_is_admin`` rule (False if it is undefined)."""
        rules = self.rules
        check = rules.get('context_is_admin')
        return bool(check and check({}, _credentials(creds), self, ('context_is_admin',)))
