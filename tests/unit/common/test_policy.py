"""Unit tests of common.policy: the rule language, rule references and the YAML-backed Enforcer."""
import json
import logging
import os
import re

import pytest
import yaml

from common import exceptions
from common import policy
from common.policy import enforcer as enforcer_mod

ADMIN = {'user_id': 'u-admin', 'project_id': 'p-admin', 'roles': ['admin', 'member'],
         'is_admin': True, 'domain_id': 'default', 'system_scope': 'all'}
MEMBER = {'user_id': 'u1', 'project_id': 'p1', 'roles': ['member', 'reader'],
          'is_admin': False, 'domain_id': 'd1', 'system_scope': None}
READER = {'user_id': 'u2', 'project_id': 'p1', 'roles': ['reader'], 'is_admin': False}


def check(rule, target=None, creds=None, enforcer=None):
    return policy.parse_rule(rule)(target or {}, creds if creds is not None else MEMBER, enforcer)


class FakeClock:
    """Stands in for the time module in the enforcer so reload throttling is deterministic."""

    def __init__(self):
        self.now = 1000.0

    def monotonic(self):
        return self.now


_mtime = [1_700_000_000]


def write_policy(path, rules, as_json=False):
    """Write a policy file and give it a new mtime, so a rewrite within one tick is seen."""
    path.write_text(json.dumps(rules) if as_json else yaml.safe_dump(rules))
    _mtime[0] += 10
    os.utime(path, (_mtime[0], _mtime[0]))


# --------------------------------------------------------------------------- parsing

@pytest.mark.parametrize('text, cls', [
    ('@', policy.TrueCheck),
    ('!', policy.FalseCheck),
    ('', policy.TrueCheck),
    ('   ', policy.TrueCheck),
    ('role:admin', policy.RoleCheck),
    ('rule:admin_required', policy.RuleCheck),
    ('rule:identity:get_user', policy.RuleCheck),
    ('user_id:%(user_id)s', policy.GenericCheck),
    ("'member':%(role)s", policy.GenericCheck),
    ('not role:admin', policy.NotCheck),
    ('role:a and role:b', policy.AndCheck),
    ('role:a or role:b', policy.OrCheck),
    ('(role:a)', policy.RoleCheck),
])
def test_parse_check_types(text, cls):
    assert type(policy.parse_rule(text)) is cls


@pytest.mark.parametrize('text, normalised', [
    ('', '@'),
    ('role:a   or\trole:b', 'role:a or role:b'),
    ('role:a OR role:b AND NOT role:c', 'role:a or role:b and not role:c'),
    ('((role:a))', 'role:a'),
    ('(role:a and role:b) or role:c', 'role:a and role:b or role:c'),
    ('role:a and (role:b or role:c)', 'role:a and (role:b or role:c)'),
    ('role:a and (role:b and role:c)', 'role:a and role:b and role:c'),
    ('not (role:a or role:b)', 'not (role:a or role:b)'),
    ('not (not role:a)', 'not not role:a'),
    ("project_id:'a b'", "project_id:'a b'"),
    ('(user_id:%(target.user.id)s)', 'user_id:%(target.user.id)s'),
])
def test_str_normalises_and_round_trips(text, normalised):
    parsed = policy.parse_rule(text)
    assert str(parsed) == normalised
    assert policy.parse_rule(str(parsed)) == parsed


@pytest.mark.parametrize('text, problem', [
    ('role:a role:b', "expected 'and', 'or'"),
    ('role:a or', 'expected a check'),
    ('and role:a', 'expected a check'),
    ('role:a and or role:b', 'expected a check'),
    ('not', 'expected a check'),
    ('(role:a', "expected ')'"),
    ('role:a)', "expected 'and', 'or'"),
    ('()', 'expected a check'),
    ('admin', 'is not a check'),
    (':admin', 'is not a check'),
    ('role:', 'is not a check'),
    ('http://example.com/check', 'http checks are not supported'),
    ('https:%(url)s', 'http checks are not supported'),
    ('user_id:%(user_id', 'unterminated substitution'),
    ('user_id:%(user_id)', 'unterminated substitution'),
    ('user_id:%()s', 'empty substitution'),
    ("project_id:'abc", 'unterminated quote'),
    ('a/b:c', 'invalid credential key'),
])
def test_malformed_rules_raise(text, problem):
    with pytest.raises(policy.PolicyError, match=re.escape(problem)):
        policy.parse_rule(text)


def test_malformed_rule_error_names_rule():
    with pytest.raises(policy.PolicyError, match='my:rule') as err:
        policy.parse_rule('role:a and', name='my:rule')
    assert err.value.rule == 'my:rule'


def test_non_string_rule_rejected():
    with pytest.raises(policy.PolicyError, match='must be a string'):
        policy.parse_rule(42, name='r')


# --------------------------------------------------------------------------- checks

def test_always_and_never():
    assert check('@') is True
    assert check('!') is False
    assert check('') is True


@pytest.mark.parametrize('rule, creds, expected', [
    ('role:member', MEMBER, True),
    ('role:admin', MEMBER, False),
    ('role:ADMIN', ADMIN, True),
    ('role:admin', dict(MEMBER, roles=['Admin']), True),
    ("role:'admin'", ADMIN, True),
    ('role:admin', {'roles': [{'id': 'r1', 'name': 'admin'}]}, True),
    ('role:admin', {'user_id': 'x'}, False),
    ('role:admin', {'roles': None}, False),
])
def test_role_check(rule, creds, expected):
    assert check(rule, creds=creds) is expected


def test_role_check_with_target_substitution():
    assert check('role:%(required_role)s', {'required_role': 'Reader'}) is True
    assert check('role:%(required_role)s', {'required_role': 'admin'}) is False
    assert check('role:%(required_role)s', {}) is False


@pytest.mark.parametrize('rule, target, expected', [
    ('user_id:%(user_id)s', {'user_id': 'u1'}, True),
    ('user_id:%(user_id)s', {'user_id': 'u2'}, False),
    ('project_id:%(project_id)s', {'project_id': 'p1'}, True),
    ('domain_id:%(domain_id)s', {'domain_id': 'd1'}, True),
    # nested targets, as dicts, as flat dotted keys, and mixed
    ('user_id:%(target.user.id)s', {'target': {'user': {'id': 'u1'}}}, True),
    ('user_id:%(target.user.id)s', {'target': {'user': {'id': 'u9'}}}, False),
    ('user_id:%(target.user.id)s', {'target.user.id': 'u1'}, True),
    ('user_id:%(target.user.id)s', {'target.user': {'id': 'u1'}}, True),
    ('domain_id:%(project.domain_id)s', {'project': {'domain_id': 'd1'}}, True),
    # missing keys or missing values never match, and never raise
    ('user_id:%(user_id)s', {}, False),
    ('user_id:%(target.user.id)s', {'target': {}}, False),
    ('user_id:%(target.user.id)s', {'target': {'user': 'not-a-dict'}}, False),
    ('user_id:%(target.user.id)s', {'target': {'user': {'id': None}}}, False),
    # substitution inside a longer value
    ('project_id:p%(n)s', {'n': 1}, True),
])
def test_generic_check_against_target(rule, target, expected):
    assert check(rule, target) is expected


def test_generic_check_missing_or_none_credential_never_matches():
    # 'None' == str(None) must not let an unscoped token match an ownerless resource.
    assert check('system_scope:%(scope)s', {'scope': None}) is False
    assert check('project_id:%(project_id)s', {'project_id': 'p1'}, creds={'roles': []}) is False
    assert check('project_id:%(project_id)s', {'project_id': 'None'},
                 creds={'project_id': None}) is False


def test_generic_check_compares_as_strings():
    assert check('user_id:%(owner)s', {'owner': 7}, creds={'user_id': 7}) is True
    assert check('user_id:%(owner)s', {'owner': '7'}, creds={'user_id': 7}) is True


@pytest.mark.parametrize('rule, creds, expected', [
    ("project_id:'p1'", MEMBER, True),
    ('project_id:"p1"', MEMBER, True),
    ('project_id:p1', MEMBER, True),
    ("project_id:'p2'", MEMBER, False),
    ("project_id:'a b'", {'project_id': 'a b'}, True),
    ('is_admin:True', ADMIN, True),
    ('is_admin:True', MEMBER, False),
    ('is_admin:False', MEMBER, True),
    ('is_admin:true', ADMIN, True),
    ('is_admin:True', {}, False),
    ('system_scope:all', ADMIN, True),
    ('system_scope:all', MEMBER, False),
    # nested credentials and list-valued credentials
    ('token.project.id:p1', {'token': {'project': {'id': 'p1'}}}, True),
    ('roles:reader', MEMBER, True),
    ('groups.name:ops', {'groups': [{'name': 'dev'}, {'name': 'ops'}]}, True),
])
def test_generic_check_literal_values(rule, creds, expected):
    assert check(rule, creds=creds) is expected


def test_quoted_value_is_not_substituted():
    assert check("user_id:'%(user_id)s'", {'user_id': 'u1'}, {'user_id': '%(user_id)s'}) is True
    assert check("user_id:'%(user_id)s'", {'user_id': 'u1'}, {'user_id': 'u1'}) is False


@pytest.mark.parametrize('rule, target, expected', [
    ("'member':%(role)s", {'role': 'member'}, True),
    ("'member':%(role)s", {'role': 'admin'}, False),
    ("'member':%(role)s", {}, False),
    ('"member":%(role.name)s', {'role': {'name': 'member'}}, True),
    ("'a:b':%(x)s", {'x': 'a:b'}, True),
    ('True:%(enabled)s', {'enabled': True}, True),
    ('True:%(enabled)s', {'enabled': False}, False),
    ('42:%(n)s', {'n': 42}, True),
])
def test_literal_on_left_compared_with_target(rule, target, expected):
    # The credentials must not matter: the left side is a literal, not a credential key.
    assert check(rule, target, creds={}) is expected


def test_check_accepts_request_context_like_object():
    class Ctx:
        def to_policy_values(self):
            return dict(MEMBER)

    enforcer = policy.Enforcer(defaults=[policy.RuleDefault('r', 'role:member')])
    assert enforcer.enforce('r', {}, Ctx()) is True


# --------------------------------------------------------------------------- operators

@pytest.mark.parametrize('rule, expected', [
    ('@ and @', True),
    ('@ and !', False),
    ('! or @', True),
    ('! or !', False),
    ('not !', True),
    ('not @', False),
    ('not not @', True),
    # and binds tighter than or
    ('@ or ! and !', True),
    ('! and ! or @', True),
    ('! and @ or ! and @', False),
    # not binds tighter than and / or
    ('not @ and !', False),
    ('not ! and @', True),
    ('not @ or @', True),
    ('not ! and !', False),
    # parentheses override precedence
    ('(@ or !) and !', False),
    ('@ or (! and !)', True),
    ('not (@ and !)', True),
    ('not (! or @)', False),
    ('((@ or !) and (! or @)) and not (! or (! and @))', True),
    # keywords are case-insensitive
    ('@ AND NOT !', True),
    ('! Or @', True),
])
def test_operators(rule, expected):
    assert check(rule) is expected


def test_operators_with_real_checks():
    rule = 'role:admin or role:member and project_id:%(project_id)s and not is_admin:True'
    assert check(rule, {'project_id': 'p1'}, MEMBER) is True
    assert check(rule, {'project_id': 'p2'}, MEMBER) is False
    assert check(rule, {'project_id': 'p2'}, ADMIN) is True
    assert check(rule, {'project_id': 'p1'}, READER) is False
    assert check('(role:admin or role:member) and project_id:%(project_id)s',
                 {'project_id': 'p2'}, ADMIN) is False


# --------------------------------------------------------------------------- rule references

def make_enforcer(rules, **kwargs):
    return policy.Enforcer(defaults=[policy.RuleDefault(n, r) for n, r in rules.items()],
                           **kwargs)


def test_rule_reference():
    enforcer = make_enforcer({
        'admin_required': 'role:admin or is_admin:True',
        'owner': 'user_id:%(user_id)s',
        'admin_or_owner': 'rule:admin_required or rule:owner',
    })
    assert enforcer.enforce('admin_or_owner', {'user_id': 'u1'}, MEMBER) is True
    assert enforcer.enforce('admin_or_owner', {'user_id': 'u9'}, MEMBER) is False
    assert enforcer.enforce('admin_or_owner', {'user_id': 'u9'}, ADMIN) is True
    assert check('not rule:admin_required', creds=MEMBER, enforcer=enforcer) is True


def test_unknown_rule_reference_is_false_and_warns(caplog):
    enforcer = make_enforcer({'r': 'rule:does_not_exist', 's': 'rule:does_not_exist or @'})
    with caplog.at_level(logging.WARNING, logger='common.policy'):
        assert enforcer.enforce('r', {}, ADMIN) is False
    assert 'does_not_exist' in caplog.text
    assert enforcer.enforce('s', {}, ADMIN) is True


def test_rule_reference_without_enforcer_is_false():
    assert check('rule:anything', enforcer=None) is False


@pytest.mark.parametrize('rules, name, expected', [
    ({'a': 'rule:b', 'b': 'rule:a'}, 'a', False),
    ({'a': 'rule:a'}, 'a', False),
    ({'a': 'rule:b', 'b': 'rule:c', 'c': 'rule:a or rule:b'}, 'a', False),
    ({'a': 'rule:b or @', 'b': 'rule:a'}, 'a', True),
    ({'a': 'rule:b', 'b': 'rule:a or @'}, 'a', True),
    # the same rule reached twice without a loop is not recursion
    ({'a': 'rule:b and rule:c', 'b': 'rule:d', 'c': 'rule:d', 'd': '@'}, 'a', True),
])
def test_recursive_rules_terminate(rules, name, expected, caplog):
    enforcer = make_enforcer(rules)
    with caplog.at_level(logging.WARNING, logger='common.policy'):
        assert enforcer.enforce(name, {}, ADMIN) is expected


def test_recursion_warning_logged(caplog):
    enforcer = make_enforcer({'a': 'rule:b', 'b': 'rule:a'})
    with caplog.at_level(logging.WARNING, logger='common.policy'):
        enforcer.enforce('a', {}, ADMIN)
    assert 'references itself' in caplog.text


# --------------------------------------------------------------------------- enforcer API

DEFAULTS = [
    policy.RuleDefault('admin_required', 'role:admin or is_admin:True'),
    policy.RuleDefault('identity:get_user', 'rule:admin_required or user_id:%(target.user.id)s',
                       'Show a user.'),
    policy.RuleDefault('identity:list_users', 'rule:admin_required'),
]


def test_enforce_returns_bool_and_raises_when_asked():
    enforcer = policy.Enforcer(defaults=DEFAULTS)
    target = {'target': {'user': {'id': 'u1'}}}
    assert enforcer.enforce('identity:get_user', target, MEMBER) is True
    assert enforcer.enforce('identity:get_user', target, READER) is False
    assert enforcer.enforce('identity:get_user', target, MEMBER, do_raise=True) is True
    with pytest.raises(policy.PolicyNotAuthorized) as err:
        enforcer.enforce('identity:get_user', target, READER, do_raise=True)
    assert err.value.rule == 'identity:get_user'
    assert 'identity:get_user' in str(err.value)
    # the fault middleware renders it as a 403
    assert isinstance(err.value, exceptions.Forbidden) and err.value.code == 403


def test_enforce_with_none_target_and_creds():
    enforcer = policy.Enforcer(defaults=DEFAULTS)
    assert enforcer.enforce('identity:get_user', None, None) is False
    assert enforcer.enforce('identity:list_users', None, ADMIN) is True


def test_enforce_accepts_check_object():
    enforcer = policy.Enforcer(defaults=DEFAULTS)
    assert enforcer.enforce(policy.parse_rule('rule:admin_required'), {}, ADMIN) is True
    with pytest.raises(policy.PolicyNotAuthorized):
        enforcer.enforce(policy.parse_rule('rule:admin_required'), {}, MEMBER, do_raise=True)


def test_enforce_unknown_rule_denies(caplog):
    enforcer = policy.Enforcer(defaults=DEFAULTS)
    with caplog.at_level(logging.WARNING, logger='common.policy'):
        assert enforcer.enforce('identity:nope', {}, ADMIN) is False
    assert 'identity:nope' in caplog.text
    with pytest.raises(policy.PolicyNotAuthorized):
        enforcer.enforce('identity:nope', {}, ADMIN, do_raise=True)


def test_default_rule_fallback():
    enforcer = policy.Enforcer(defaults=DEFAULTS + [policy.RuleDefault('default', 'role:admin')],
                               default_rule='default')
    assert enforcer.enforce('identity:nope', {}, ADMIN) is True
    assert enforcer.enforce('identity:nope', {}, MEMBER) is False


def test_authorize():
    enforcer = policy.Enforcer(defaults=DEFAULTS)
    assert enforcer.authorize('identity:list_users', {}, ADMIN) is True
    with pytest.raises(policy.PolicyNotAuthorized):
        enforcer.authorize('identity:list_users', {}, MEMBER)
    with pytest.raises(policy.PolicyNotRegistered) as err:
        enforcer.authorize('identity:not_registered', {}, ADMIN)
    assert err.value.rule == 'identity:not_registered'


def test_rules_property_holds_parsed_checks():
    enforcer = policy.Enforcer(defaults=DEFAULTS)
    assert set(enforcer.rules) == {'admin_required', 'identity:get_user', 'identity:list_users'}
    assert isinstance(enforcer.rules['admin_required'], policy.Check)
    assert str(enforcer.rules['admin_required']) == 'role:admin or is_admin:True'


def test_malformed_default_raises_at_definition():
    with pytest.raises(policy.PolicyError, match='bad_rule'):
        policy.RuleDefault('bad_rule', 'role:admin or')


def test_duplicate_registration_rejected():
    with pytest.raises(policy.PolicyError, match='twice'):
        policy.Enforcer(defaults=[policy.RuleDefault('a', '@'), policy.RuleDefault('a', '!')])


def test_register_default_later_and_set_rules():
    enforcer = policy.Enforcer(defaults=DEFAULTS)
    assert enforcer.enforce('admin_required', {}, ADMIN) is True
    enforcer.register_default(policy.RuleDefault('compute:start', 'rule:admin_required'))
    assert enforcer.enforce('compute:start', {}, ADMIN) is True
    enforcer.set_rules({'admin_required': '!'})
    assert enforcer.enforce('compute:start', {}, ADMIN) is False
    enforcer.set_rules({}, overwrite=True)
    assert enforcer.enforce('compute:start', {}, ADMIN) is True


def test_check_is_admin():
    enforcer = policy.Enforcer(defaults=[policy.RuleDefault('context_is_admin', 'role:admin')])
    assert enforcer.check_is_admin(ADMIN) is True
    assert enforcer.check_is_admin(MEMBER) is False
    assert policy.Enforcer().check_is_admin(ADMIN) is False


# --------------------------------------------------------------------------- policy file

def test_yaml_overrides_defaults_and_adds_rules(tmp_path):
    path = tmp_path / 'policy.yaml'
    path.write_text('# operator overrides\n'
                    '"identity:list_users": "rule:admin_required or rule:readers"\n'
                    '"readers": "role:reader"\n')
    enforcer = policy.Enforcer(policy_file=str(path), defaults=DEFAULTS)
    assert enforcer.enforce('identity:list_users', {}, READER) is True
    # untouched defaults still apply
    target = {'target': {'user': {'id': 'x'}}}
    assert enforcer.enforce('identity:get_user', target, READER) is False
    assert str(enforcer.rules['readers']) == 'role:reader'


def test_json_policy_file_is_accepted(tmp_path):
    path = tmp_path / 'policy.json'
    write_policy(path, {'identity:list_users': '@'}, as_json=True)
    enforcer = policy.Enforcer(policy_file=str(path), defaults=DEFAULTS)
    assert enforcer.enforce('identity:list_users', {}, READER) is True


@pytest.mark.parametrize('content', ['', '# only comments\n', '{}\n'])
def test_empty_policy_file_means_defaults(tmp_path, content):
    path = tmp_path / 'policy.yaml'
    path.write_text(content)
    enforcer = policy.Enforcer(policy_file=str(path), defaults=DEFAULTS)
    assert enforcer.enforce('identity:list_users', {}, READER) is False
    assert enforcer.enforce('identity:list_users', {}, ADMIN) is True


def test_empty_rule_in_file_allows_everyone(tmp_path):
    path = tmp_path / 'policy.yaml'
    write_policy(path, {'identity:list_users': ''})
    enforcer = policy.Enforcer(policy_file=str(path), defaults=DEFAULTS)
    assert enforcer.enforce('identity:list_users', {}, {}) is True


def test_missing_policy_file_means_defaults(tmp_path):
    enforcer = policy.Enforcer(policy_file=str(tmp_path / 'absent.yaml'), defaults=DEFAULTS)
    assert enforcer.enforce('identity:list_users', {}, ADMIN) is True
    assert enforcer.enforce('identity:list_users', {}, READER) is False


def test_file_changes_apply_without_restart(tmp_path):
    path = tmp_path / 'policy.yaml'
    write_policy(path, {'identity:list_users': 'role:reader'})
    enforcer = policy.Enforcer(policy_file=str(path), defaults=DEFAULTS, reload_interval=0)
    assert enforcer.enforce('identity:list_users', {}, READER) is True
    write_policy(path, {'identity:list_users': 'role:nobody'})
    assert enforcer.enforce('identity:list_users', {}, READER) is False
    # deleting the file falls back to the defaults
    path.unlink()
    assert enforcer.enforce('identity:list_users', {}, READER) is False
    assert enforcer.enforce('identity:list_users', {}, ADMIN) is True
    # and a file created later is picked up
    write_policy(path, {'identity:list_users': '@'})
    assert enforcer.enforce('identity:list_users', {}, READER) is True


def test_reload_stats_at_most_once_per_interval(tmp_path, monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(enforcer_mod, 'time', clock)
    stats = []
    real_stat = os.stat
    monkeypatch.setattr(enforcer_mod.os, 'stat', lambda p: stats.append(p) or real_stat(p))
    path = tmp_path / 'policy.yaml'
    write_policy(path, {'identity:list_users': 'role:reader'})
    enforcer = policy.Enforcer(policy_file=str(path), defaults=DEFAULTS)
    assert enforcer.enforce('identity:list_users', {}, READER) is True
    write_policy(path, {'identity:list_users': '!'})
    stats.clear()
    for _ in range(5):
        clock.now += 0.1
        assert enforcer.enforce('identity:list_users', {}, READER) is True
    assert stats == []
    clock.now += 1.0
    assert enforcer.enforce('identity:list_users', {}, READER) is False
    assert len(stats) == 1


def test_load_rules_force_rereads_immediately(tmp_path, monkeypatch):
    monkeypatch.setattr(enforcer_mod, 'time', FakeClock())
    path = tmp_path / 'policy.yaml'
    write_policy(path, {'identity:list_users': 'role:reader'})
    enforcer = policy.Enforcer(policy_file=str(path), defaults=DEFAULTS)
    assert enforcer.enforce('identity:list_users', {}, READER) is True
    write_policy(path, {'identity:list_users': '!'})
    assert enforcer.enforce('identity:list_users', {}, READER) is True  # within the interval
    enforcer.load_rules(force=True)
    assert enforcer.enforce('identity:list_users', {}, READER) is False


def test_malformed_rule_in_file_raises_naming_rule(tmp_path):
    path = tmp_path / 'policy.yaml'
    write_policy(path, {'identity:list_users': 'role:reader and or role:admin'})
    enforcer = policy.Enforcer(policy_file=str(path), defaults=DEFAULTS)
    with pytest.raises(policy.PolicyError) as err:
        enforcer.load_rules()
    assert err.value.rule == 'identity:list_users'
    assert 'identity:list_users' in str(err.value) and str(path) in str(err.value)
    assert 'expected a check' in str(err.value)
    # never loaded a good file: enforcing fails closed rather than guessing
    with pytest.raises(policy.PolicyError):
        enforcer.enforce('identity:list_users', {}, ADMIN)


@pytest.mark.parametrize('content, problem', [
    ('"a": [unclosed\n', 'not valid YAML'),
    ('- role:admin\n', 'must be a mapping'),
    ('"a": 42\n', 'must be a string'),
    ('"a":\n', 'must be a string'),
    ('1: "role:admin"\n', 'is not a string'),
    ('"a": "http://policy.example.com"\n', 'http checks are not supported'),
])
def test_bad_policy_files_raise(tmp_path, content, problem):
    path = tmp_path / 'policy.yaml'
    path.write_text(content)
    with pytest.raises(policy.PolicyError, match=problem):
        policy.Enforcer(policy_file=str(path), defaults=DEFAULTS).load_rules()


def test_bad_edit_at_runtime_keeps_previous_rules(tmp_path, caplog):
    path = tmp_path / 'policy.yaml'
    write_policy(path, {'identity:list_users': 'role:reader'})
    enforcer = policy.Enforcer(policy_file=str(path), defaults=DEFAULTS, reload_interval=0)
    assert enforcer.enforce('identity:list_users', {}, READER) is True
    write_policy(path, {'identity:list_users': 'role:reader or'})
    with caplog.at_level(logging.ERROR, logger='common.policy'):
        assert enforcer.enforce('identity:list_users', {}, READER) is True
    assert 'identity:list_users' in caplog.text
    # reported once per edit, not on every request
    caplog.clear()
    assert enforcer.enforce('identity:list_users', {}, READER) is True
    assert caplog.text == ''
    # explicit loads still report the problem
    with pytest.raises(policy.PolicyError):
        enforcer.load_rules(force=True)
    # set_rules() still applies on top of the last good file
    enforcer.set_rules({'admin_required': '!'})
    assert enforcer.enforce('identity:list_users', {}, ADMIN) is False
    # fixing the file applies it
    write_policy(path, {'identity:list_users': 'role:admin'})
    enforcer.set_rules({}, overwrite=True)
    assert enforcer.enforce('identity:list_users', {}, ADMIN) is True
    assert enforcer.enforce('identity:list_users', {}, READER) is False


def test_recursive_rules_from_file_terminate(tmp_path):
    path = tmp_path / 'policy.yaml'
    write_policy(path, {'a': 'rule:b', 'b': 'rule:a', 'identity:list_users': 'rule:a'})
    enforcer = policy.Enforcer(policy_file=str(path), defaults=DEFAULTS)
    assert enforcer.enforce('identity:list_users', {}, ADMIN) is False
