"""identity.db.api.Store: the lists (Keystone's filters on common.db.query) and the
authorize callbacks that run inside an operation's transaction."""
import pytest
import webob

from common import exceptions
from common.wsgi import listing

pytestmark = pytest.mark.timeout(60)


def _list(st, plural, query='', owner_id=None, limit=1000):
    lr = listing.parse(webob.Request.blank('/x?' + query), limit, min_limit=1)
    return st.store.list_entities(plural, lr, owner_id)


def _names(rows):
    return sorted(r.name for r in rows)


def test_filters_operators_and_booleans(state):
    for name, enabled in (('alpha', True), ('Alpine', False), ('beta', True)):
        state.store.create_entity('domains', {'name': name, 'enabled': enabled})
    assert _names(_list(state, 'domains', 'name=beta')) == ['beta']
    assert _names(_list(state, 'domains', 'name__startswith=be')) == ['beta']
    assert _names(_list(state, 'domains', 'name__istartswith=al')) == ['Alpine', 'alpha']
    assert _names(_list(state, 'domains', 'name__contains=%25')) == []   # % is literal
    assert _names(_list(state, 'domains', 'enabled=false')) == ['Alpine']
    assert 'Alpine' not in _names(_list(state, 'domains', 'enabled=TRUE'))
    assert _names(_list(state, 'domains', 'description=x&name=beta')) == ['beta']  # ignored
    with pytest.raises(exceptions.BadRequest, match='Unknown filter operator'):
        _list(state, 'domains', 'name__like=a')
    with pytest.raises(exceptions.BadRequest, match="'enabled' must be a boolean"):
        _list(state, 'domains', 'enabled=maybe')


def test_pages_follow_the_id_marker(state):
    for n in range(5):
        state.store.create_entity('groups', {'name': 'g%d' % n, 'domain_id': 'default'})
    first = _list(state, 'groups', 'limit=2', limit=1000)
    assert len(first) == 3  # one more than the page: the caller learns it is truncated
    rest = _list(state, 'groups', 'marker=%s' % first[1].id)
    assert [g.id for g in first[:2] + rest] == sorted(g.id for g in _list(state, 'groups'))


def test_roles_are_global_unless_a_domain_is_asked(state):
    state.store.create_entity('roles', {'name': 'local', 'domain_id': 'default'})
    assert 'local' not in _names(_list(state, 'roles'))
    assert _names(_list(state, 'roles', 'domain_id=default')) == ['local']


def test_owner_scope_narrows_credentials(state):
    admin = _list(state, 'users', 'name=admin')[0]
    other = state.store.create_entity('users', {'name': 'other', 'domain_id': 'default'})
    for user in (admin, other):
        state.store.create_entity('credentials', {'user_id': user.id, 'type': 'cert',
                                                  'blob': 'b-' + user.name})
    assert len(_list(state, 'credentials')) == 2
    mine = _list(state, 'credentials', owner_id=other.id)
    assert [c.user_id for c in mine] == [other.id]


def test_a_refusing_authorize_leaves_the_entity_alone(state):
    group = state.store.create_entity('groups', {'name': 'keep', 'domain_id': 'default'})

    def refuse(*_):
        raise exceptions.Forbidden('no')
    with pytest.raises(exceptions.Forbidden):
        state.store.delete_entity('groups', [group.id], refuse)
    with pytest.raises(exceptions.Forbidden):
        state.store.update_entity('groups', [group.id], refuse)
    assert state.store.get_entity('groups', [group.id]).name == 'keep'
    with pytest.raises(exceptions.NotFound):
        state.store.delete_entity('groups', ['missing'], refuse)
