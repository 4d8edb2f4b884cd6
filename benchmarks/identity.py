"""Identity benchmark: tokens issued per second and validations per second, online at
identity (GET /v3/auth/tokens) and offline in the auth middleware every other service runs,
with 1 and 20 concurrent clients.

usage: source openrc admin; .venv/bin/python benchmarks/identity.py [--seconds 10]
"""
import argparse
import concurrent.futures
import os
import threading
import time

import requests
import webob

from common import config
from common.auth import middleware


def password_auth():
    return {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
        'name': os.environ['OS_USERNAME'], 'password': os.environ['OS_PASSWORD'],
        'domain': {'name': os.environ.get('OS_USER_DOMAIN_NAME', 'Default')}}}},
        'scope': {'project': {'name': os.environ['OS_PROJECT_NAME'], 'domain': {
            'name': os.environ.get('OS_PROJECT_DOMAIN_NAME', 'Default')}}}}}


def run(func, clients, seconds):
    """Calls per second of ``func`` from ``clients`` threads for ``seconds``."""
    stop = time.monotonic() + seconds
    counts = [0] * clients
    errors = []

    def worker(i):
        session = requests.Session()
        while time.monotonic() < stop:
            try:
                func(session)
                counts[i] += 1
            except Exception as exc:  # count and report, do not stop the run
                errors.append(exc)
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        list(pool.map(worker, range(clients)))
    elapsed = time.monotonic() - started
    if errors:
        print('  (%d errors, first: %s)' % (len(errors), errors[0]))
    return sum(counts) / elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--seconds', type=float, default=10)
    args = parser.parse_args()
    base = os.environ['OS_AUTH_URL'].rstrip('/')
    if base.endswith('/v3'):
        base = base[:-3]
    body = password_auth()
    admin_token = requests.post(base + '/v3/auth/tokens', json=body).headers['X-Subject-Token']
    subject = requests.post(base + '/v3/auth/tokens', json=body).headers['X-Subject-Token']

    def issue(session):
        resp = session.post(base + '/v3/auth/tokens?nocatalog', json=body)
        assert resp.status_code == 201, resp.text

    def validate_online(session):
        resp = session.get(base + '/v3/auth/tokens?nocatalog',
                           headers={'X-Auth-Token': admin_token, 'X-Subject-Token': subject})
        assert resp.status_code == 200, resp.text

    conf = config.ConfigOpts()
    config_opts = middleware.OPTS
    conf.register_opts(config_opts, group=middleware.GROUP)
    conf.register_opt(config.StrOpt('transport_url', default=None, help='unused'))
    conf.set_override('www_authenticate_uri', base, group=middleware.GROUP)
    conf.set_override('revocation_push', False, group=middleware.GROUP)
    seen = threading.local()

    def app(environ, start_response):
        seen.user = environ.get('HTTP_X_USER_ID')
        start_response('200 OK', [])
        return [b'']
    protected = middleware.AuthProtocol.from_conf(app, conf)

    def validate_offline(_session):
        req = webob.Request.blank('/', headers={'X-Auth-Token': subject})
        assert req.get_response(protected).status_int == 200

    rows = []
    for name, func in (('token issue (password, scrypt)', issue),
                       ('validate online at identity', validate_online),
                       ('validate offline in middleware', validate_offline)):
        for clients in (1, 20):
            rate = run(func, clients, args.seconds)
            rows.append((name, clients, rate))
            print('%-34s %3d client(s): %8.1f /s' % (name, clients, rate), flush=True)
    print('\n| operation | clients | per second |\n| --- | --- | --- |')
    for name, clients, rate in rows:
        print('| %s | %d | %.0f |' % (name, clients, rate))


if __name__ == '__main__':
    main()
