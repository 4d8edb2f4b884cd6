"""The image daemon on SQLite, MariaDB and PostgreSQL: each run creates and drops its DB."""
import uuid

import pytest
import requests
import sqlalchemy as sa


def _server_db(kind):
    name = 'image_test_%s' % uuid.uuid4().hex[:10]
    if kind == 'mysql':
        admin_url, url = 'mysql+pymysql://root@127.0.0.1/', \
            'mysql+pymysql://root@127.0.0.1/%s' % name
    else:
        admin_url, url = 'postgresql://postgres@127.0.0.1/postgres', \
            'postgresql://postgres@127.0.0.1/%s' % name
    engine = sa.create_engine(admin_url, isolation_level='AUTOCOMMIT')
    try:
        with engine.connect() as conn:
            conn.execute(sa.text('CREATE DATABASE %s' % name))
    except sa.exc.OperationalError as exc:
        engine.dispose()
        pytest.skip('%s server not reachable: %s' % (kind, exc))
    return engine, name, url


@pytest.mark.parametrize('kind', ['sqlite', 'mysql', 'postgresql'])
def test_daemon_on_database(kind, image_daemon_factory, image_auth, tmp_path):
    admin = name = None
    url = 'sqlite:///%s' % (tmp_path / 'image.sqlite') if kind == 'sqlite' else None
    if url is None:
        admin, name, url = _server_db(kind)
    try:
        daemon = image_daemon_factory(db_url=url).start()
        s = requests.Session()
        s.headers['X-Auth-Token'] = image_auth.token('p-alice')
        base = daemon.url + '/v2/images'
        ids = []
        for i, size in enumerate((None, 5, 3)):
            img = s.post(base, json={'name': 'n%d' % i, 'disk_format': 'raw',
                                     'container_format': 'bare', 'tags': ['t']},
                         timeout=30).json()
            ids.append(img['id'])
            if size:
                assert s.put('%s/%s/file' % (base, img['id']), data=b'x' * size, timeout=30,
                             headers={'Content-Type': 'application/octet-stream'}
                             ).status_code == 204
        # NULL-aware ordering and paging agree on every database.
        seen, url_next = [], base + '?sort=size:asc,name:asc&limit=1'
        while url_next:
            page = s.get(url_next if url_next.startswith('http') else daemon.url + url_next,
                         timeout=30).json()
            seen += [i['name'] for i in page['images']]
            url_next = page.get('next')
        assert seen == ['n0', 'n2', 'n1']
        resp = s.patch('%s/%s' % (base, ids[0]), json=[
            {'op': 'add', 'path': '/k', 'value': 'v' * 1000}], timeout=30,
            headers={'Content-Type': 'application/openstack-images-v2.1-json-patch'})
        assert resp.status_code == 200 and resp.json()['k'] == 'v' * 1000
        assert s.get(base + '?k=' + 'v' * 1000, timeout=30).json()['images'][0]['id'] == ids[0]
        assert s.delete('%s/%s' % (base, ids[1]), timeout=30).status_code == 204
        s.close()  # an idle keep-alive connection would hold the graceful stop 5 s
        daemon.stop()
    finally:
        if admin is not None:
            with admin.connect() as conn:
                if kind == 'postgresql':
                    conn.execute(sa.text('SELECT pg_terminate_backend(pid) FROM '
                                         'pg_stat_activity WHERE datname = :n'), {'n': name})
                conn.execute(sa.text('DROP DATABASE IF EXISTS %s' % name))
            admin.dispose()
