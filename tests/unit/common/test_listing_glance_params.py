"""common.wsgi.listing's helpers for Glance/Cinder-style list parameters."""
import datetime

import pytest
import webob

from common import exceptions
from common.wsgi import listing

KEYS = ('name', 'size', 'created_at', 'id')


def req(query):
    return webob.Request.blank('/v2/things?' + query)


@pytest.mark.parametrize('query,expected', [
    ('', [('created_at', 'desc')]),
    ('sort_key=name', [('name', 'desc')]),
    ('sort_key=name&sort_key=size&sort_dir=asc', [('name', 'asc'), ('size', 'asc')]),
    ('sort_key=name&sort_key=size&sort_dir=asc&sort_dir=desc',
     [('name', 'asc'), ('size', 'desc')]),
    ('sort_dir=asc', [('created_at', 'asc')]),
    ('sort=size:asc,name', [('size', 'asc'), ('name', 'desc')]),
])
def test_sort_spec_forms(query, expected):
    assert listing.sort_spec(req(query), KEYS) == expected


@pytest.mark.parametrize('query,words', [
    ('sort=name&sort_key=size', 'not both'), ('sort_key=colour', 'Invalid sort key: colour'),
    ('sort=name:up', 'Invalid sort direction'), ('sort=name,name', 'given twice'),
    ('sort_key=name&sort_key=size&sort_key=id&sort_dir=asc&sort_dir=desc', 'one per sort_key'),
    ('sort=a&sort=b', 'only once'),
])
def test_sort_spec_refuses(query, words):
    with pytest.raises(exceptions.BadRequest) as err:
        listing.sort_spec(req(query), KEYS)
    assert words in str(err.value)


def test_page_limit_default_cap_and_zero():
    assert listing.page_limit(req(''), 25, 100) == 25
    assert listing.page_limit(req('limit=500'), 25, 100) == 100
    assert listing.page_limit(req('limit=0'), 25, 100) == 0
    for bad, words in (('limit=-1', 'must not be negative'), ('limit=x', 'must be an integer'),
                       ('limit=1&limit=2', 'only once')):
        with pytest.raises(exceptions.BadRequest) as err:
            listing.page_limit(req(bad), 25, 100)
        assert words in str(err.value)


def test_flag_and_count():
    assert listing.flag(req('p=TRUE'), 'p') is True
    assert listing.flag(req(''), 'p') is None
    with pytest.raises(exceptions.BadRequest):
        listing.flag(req('p=maybe'), 'p')
    assert listing.count(req('n=7'), 'n') == 7


def test_time_filter_operators_and_zones():
    assert listing.time_filter('t', 'gte:2024-01-02T03:04:05Z') == (
        'gte', datetime.datetime(2024, 1, 2, 3, 4, 5))
    assert listing.time_filter('t', '2024-01-02T05:04:05+02:00') == (
        'eq', datetime.datetime(2024, 1, 2, 3, 4, 5))
    with pytest.raises(exceptions.BadRequest) as err:
        listing.time_filter('t', 'gt:yesterday')
    assert 'ISO 8601' in str(err.value)


def test_in_values_and_links():
    assert listing.in_values('n', 'in:a,"b", c') == ['a', 'b', 'c']
    assert listing.in_values('n', 'plain') == ['plain']
    with pytest.raises(exceptions.BadRequest):
        listing.in_values('n', 'in:')
    r = req('limit=2&marker=old&name=x')
    assert listing.first_next_links(r, '/v2/things', 'last', True) == {
        'first': '/v2/things?limit=2&name=x',
        'next': '/v2/things?limit=2&name=x&marker=last'}
    assert 'next' not in listing.first_next_links(r, '/v2/things', 'last', False)
