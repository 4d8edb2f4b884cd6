"""Scale: every list API of the image service runs the same number of SQL statements
whatever the number of rows it returns (never one query per row)."""
import pytest
import sqlalchemy as sa

from common.db import migration
from common.testing import sqlcount

pytestmark = pytest.mark.timeout(300)

NS = '/v2/metadefs/namespaces'


class Grower:
    """Adds, per step, images (with tags, properties, a location, members and an import
    task) and a metadef namespace with objects, properties, tags and associations."""

    def __init__(self, client, engine):
        self.client, self.engine, self.step = client, engine, 0
        self.admin = client.as_('p-admin', roles=('admin', 'member', 'reader'))
        self.other = client.as_('p-bob')
        self.shared = client.create(name='shared', visibility='shared')
        ns = self.admin.post(NS, {'namespace': 'ns-all', 'visibility': 'public'})
        assert ns.status_int == 201, ns.text

    def grow(self, steps):
        client, admin = self.client, self.admin
        for _ in range(steps):
            self.step += 1
            i = self.step
            img = client.create(name='img%d' % i, tags=['t1', 'x%d' % i],
                                visibility='shared', **{'prop_a': 'v', 'prop%d' % i: 'w'})
            path = '/v2/images/%s' % img['id']
            assert client.upload(img['id'], b'x' * 512).status_int == 204
            for project in ('p-bob', 'p-m%d' % i):
                assert client.post(path + '/members', {'member': project}).status_int == 200
            self.other.put(path + '/members/p-bob', json_body={'status': 'accepted'})
            assert client.post(self.shared_path + '/members',
                               {'member': 'p-s%d' % i}).status_int == 200
            staged = client.create(name='staged%d' % i)
            spath = '/v2/images/%s' % staged['id']
            assert client.put(spath + '/stage', body=b'y' * 512).status_int == 204
            resp = client.post(spath + '/import', {'method': {'name': 'glance-direct'}})
            assert resp.status_int == 202, resp.text
            self.engine.imports.wait()
            ns = 'ns%d' % i
            resp = admin.post(NS, {
                'namespace': ns, 'visibility': 'public',
                'resource_type_associations': [{'name': 'OS::Glance::Image'},
                                               {'name': 'OS::Nova::Flavor%d' % i}],
                'properties': {'p%d' % j: {'title': 'p', 'type': 'string'} for j in (1, 2)},
                'objects': [{'name': 'o%d' % j, 'properties': {
                    'q': {'title': 'q', 'type': 'string'}}} for j in (1, 2)],
                'tags': [{'name': 'tag%d' % j} for j in (1, 2)]})
            assert resp.status_int == 201, resp.text
            for kind, body in (('objects', {'name': 'o%d' % i}),
                               ('properties', {'name': 'p%d' % (i + 2), 'title': 't',
                                               'type': 'string'}),
                               ('tags/tag%d' % (i + 2), None)):
                resp = admin.post('%s/ns-all/%s' % (NS, kind), body)
                assert resp.status_int == 201, resp.text

    @property
    def shared_path(self):
        return '/v2/images/%s' % self.shared['id']


def lists(grower):
    return ['/v2/images', '/v2/images?tag=t1', '/v2/images?tag=t1&tag=x1',
            '/v2/images?prop_a=v', '/v2/images?status=active&visibility=shared',
            '/v2/images?sort_key=size&sort_dir=asc', '/v2/images?sort=name:desc,created_at',
            '/v2/images?limit=3', '/v2/images?member_status=all&visibility=shared',
            '/v2/images?disk_format=raw&container_format=bare',
            grower.shared_path + '/members', grower.shared_path + '/tasks',
            '/v2/tasks', '/v2/tasks?status=success&sort_key=updated_at',
            NS, NS + '?resource_types=OS::Glance::Image', NS + '/ns-all',
            NS + '/ns-all/objects', NS + '/ns-all/properties', NS + '/ns-all/tags',
            NS + '/ns-all/resource_types', '/v2/metadefs/resource_types']


def statements(grower):
    counts = {}
    for who, client in (('member', grower.client), ('admin', grower.admin)):
        for path in lists(grower):
            if who == 'member' and path.startswith('/v2/tasks'):
                continue  # listing tasks is for admins (Glance's policy)

            def call(path=path, client=client):
                resp = client.get(path)
                assert resp.status_int == 200, '%s %s' % (path, resp.text[:300])
            counts[(who, path)] = sqlcount.statements_per_request(call)
    return counts


def test_list_statements_do_not_grow_with_rows(image_env):
    client, engine = image_env
    grower = Grower(client, engine)
    grower.grow(2)
    small = statements(grower)
    grower.grow(5)
    large = statements(grower)
    grown = {key: (small[key], large[key]) for key in small if large[key] > small[key]}
    assert not grown, 'statements per list grew with the rows (before, after): %s' % grown


def test_migration_004_adds_the_list_indexes_to_an_older_database(image_env):
    """A database made before the indexes (they dropped, version 3) gets them on db-sync."""
    _client, engine = image_env
    names = {'images': 'ix_images_disk_format', 'image_tags': 'ix_image_tags_value',
             'image_imports': 'ix_image_imports_owner',
             'metadef_namespaces': 'ix_metadef_namespaces_visibility'}
    db = engine.db
    with db.engine.begin() as conn:
        for index in names.values():
            conn.execute(sa.text('DROP INDEX %s' % index))
        conn.execute(sa.text('UPDATE schema_version SET version = 3'))
    assert migration.upgrade(db, 'image.db.migrations') == 4
    inspector = sa.inspect(db.engine)
    for table, index in names.items():
        assert index in {ix['name'] for ix in inspector.get_indexes(table)}, index
