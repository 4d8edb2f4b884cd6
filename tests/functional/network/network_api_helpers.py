"""Helpers of the network functional tests: the broker URL, a database per test on each
backend (created and dropped), an authenticated HTTP session, polling. (A module of its
own: test files cannot import from conftest.py, a name every test folder shares.)"""
import time
import uuid

import pytest
import requests

from common.testing import daemons


# A vhost of its own: agents of a cloud running on this machine must not report in here.
AMQP = daemons.private_rabbit_vhost('cs-network-test')


def _sqlite(tmp_path):
    yield 'sqlite:///%s' % (tmp_path / 'network.sqlite')


def _mariadb(_tmp_path):
    import pymysql
    name = 'nettest_%s' % uuid.uuid4().hex[:12]
    try:
        conn = pymysql.connect(host='127.0.0.1', user='root', autocommit=True)
    except pymysql.err.OperationalError as exc:
        pytest.skip('MariaDB unavailable: %s' % exc)
    with conn.cursor() as cur:
        cur.execute('CREATE DATABASE %s CHARACTER SET utf8mb4' % name)
    try:
        yield 'mysql+pymysql://root@127.0.0.1/%s' % name
    finally:
        with conn.cursor() as cur:
            cur.execute('DROP DATABASE IF EXISTS %s' % name)
        conn.close()


def _postgres(_tmp_path):
    import psycopg2
    name = 'nettest_%s' % uuid.uuid4().hex[:12]
    try:
        conn = psycopg2.connect(host='127.0.0.1', user='postgres', dbname='postgres')
    except psycopg2.OperationalError as exc:
        pytest.skip('PostgreSQL unavailable: %s' % exc)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute('CREATE DATABASE %s' % name)
    try:
        yield 'postgresql://postgres@127.0.0.1/%s' % name
    finally:
        with conn.cursor() as cur:
            cur.execute('SELECT pg_terminate_backend(pid) FROM pg_stat_activity '
                        'WHERE datname = %s', (name,))
            cur.execute('DROP DATABASE IF EXISTS %s' % name)
        conn.close()


DATABASES = {'sqlite': _sqlite, 'mariadb': _mariadb, 'postgresql': _postgres}


def http(token):
    sess = requests.Session()
    sess.headers.update({'X-Auth-Token': token, 'Content-Type': 'application/json'})
    return sess


def wait_until(predicate, timeout=15, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
