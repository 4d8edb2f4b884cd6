"""Policy engine: the oslo.policy rule language, rules defaulted in code, overridable by YAML.

A rule string such as ``role:admin or (role:member and project_id:%(project_id)s)`` is parsed
(:func:`parse_rule`, grammar in :mod:`common.policy.parser`) into a tree of :class:`Check`
objects; calling the tree with ``(target, creds, enforcer)`` answers whether the caller
(``creds``) may act on the resource (``target``). An :class:`Enforcer` holds a service's
rules: :class:`RuleDefault` objects from code, overridden by ``etc/<service>/policy.yaml``,
which is re-read when it changes.
"""
from common.policy.checks import (AndCheck, Check, FalseCheck, GenericCheck, NotCheck,
                                  OrCheck, RoleCheck, RuleCheck, TrueCheck)
from common.policy.enforcer import Enforcer, RuleDefault
from common.policy.errors import PolicyError, PolicyNotAuthorized, PolicyNotRegistered
from common.policy.parser import parse_rule

__all__ = ['AndCheck', 'Check', 'Enforcer', 'FalseCheck', 'GenericCheck', 'NotCheck',
           'OrCheck', 'PolicyError', 'PolicyNotAuthorized', 'PolicyNotRegistered',
           'RoleCheck', 'RuleCheck', 'RuleDefault', 'TrueCheck', 'parse_rule']
