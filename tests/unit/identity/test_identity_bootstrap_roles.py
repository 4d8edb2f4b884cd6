"""The roles a new cloud starts with: Keystone's admin, manager, member and reader
(tempest's compute admin tests give a test user the manager role)."""
from identity import bootstrap
from identity.core import assignment


def test_bootstrap_makes_manager_implying_member_and_is_idempotent(state):
    bootstrap.bootstrap(state.db, 'admin', 'admin-pw', hash_cost=4)
    with state.db.session() as sess:
        ids = {n: assignment.find_role(sess, name=n).id
               for n in ('admin', 'manager', 'member', 'reader')}
        closure = assignment.implied_closure(sess, [ids['manager']])
    assert {ids['member'], ids['reader']} <= set(closure)
    assert ids['admin'] not in set(closure)
