"""Errors of the policy engine."""
from common import exceptions


class PolicyError(Exception):
    """A rule string or policy file is malformed."""

    def __init__(self, message, rule=None):
        super().__init__(message)
        self.rule = rule


class PolicyNotRegistered(PolicyError):
    """authorize() was called with a rule name no code registered (a programming error)."""

    def __init__(self, rule):
        super().__init__('Policy %s has not been registered' % rule, rule=rule)


class PolicyNotAuthorized(exceptions.Forbidden):
    """The credentials do not satisfy the rule.

    A Forbidden so the fault middleware answers 403 without services having to translate it.
    """

    def __init__(self, rule):
        self.rule = rule
        super().__init__("Policy doesn't allow %s to be performed." % rule)
