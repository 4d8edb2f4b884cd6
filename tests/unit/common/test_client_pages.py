"""common.client.walk_pages: following a marker-paged list API as Glance pages it."""
from common import client


def _api(ids, default_size=3):
    """A list API over ``ids``: pages of ``limit`` (default ``default_size``) after
    ``marker``, with a ``next`` link while more remain; records what it was asked."""
    asked = []

    def fetch(params):
        asked.append(dict(params))
        start = ids.index(params['marker']) + 1 if 'marker' in params else 0
        size = params.get('limit', default_size)
        page = ids[start:start + size]
        doc = {'images': [{'id': i} for i in page]}
        if start + size < len(ids):
            doc['next'] = '/v2/images?marker=%s' % page[-1]
        return doc
    return fetch, asked


def test_every_page_is_followed_without_a_limit():
    fetch, asked = _api(list('abcdefgh'))
    found = client.walk_pages(fetch, 'images', {'status': 'active'})
    assert [i['id'] for i in found] == list('abcdefgh')
    assert [a.get('marker') for a in asked] == [None, 'c', 'f']
    assert all(a['status'] == 'active' for a in asked)


def test_a_limit_stops_reading_and_asks_only_what_is_missing():
    fetch, asked = _api(list('abcdefgh'))
    found = client.walk_pages(fetch, 'images', limit=5, page_size=3)
    assert [i['id'] for i in found] == list('abcde')
    assert [a['limit'] for a in asked] == [3, 2]


def test_max_pages_bounds_the_walk_and_the_callers_params_are_untouched():
    fetch, asked = _api([str(i) for i in range(50)])
    params = {'name': 'x'}
    found = client.walk_pages(fetch, 'images', params, page_size=4, max_pages=2)
    assert len(found) == 8 and len(asked) == 2
    assert params == {'name': 'x'}


def test_an_exact_last_page_without_next_ends_the_walk():
    fetch, asked = _api(list('abcdef'))
    assert len(client.walk_pages(fetch, 'images', page_size=3)) == 6
    assert len(asked) == 2
