"""devstack's own dashboard daemon (port 8000 of the cloud in $DASHBOARD_TEST_OPENRC):
it serves the login page with a session cookie and security headers, a login as demo
through it reaches the overview with the quotas of demo's project, and a POST without
the CSRF token is refused."""
import os
import re
import urllib.parse

import pytest
import requests

from common.testing.dashboard_browser import openrc_env

OPENRC = os.environ.get('DASHBOARD_TEST_OPENRC')
pytestmark = [pytest.mark.timeout(120), pytest.mark.integration,
              pytest.mark.skipif(not OPENRC, reason='DASHBOARD_TEST_OPENRC names no cloud')]


def test_devstack_dashboard_daemon_logs_in():
    env = openrc_env(OPENRC, 'demo')
    host = urllib.parse.urlsplit(env['OS_AUTH_URL']).hostname
    url = 'http://%s:8000' % host
    web = requests.Session()
    page = web.get(url + '/auth/login', timeout=30)
    assert page.status_code == 200 and page.headers['X-Frame-Options'] == 'DENY'
    assert 'csdash_session' in web.cookies
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    refused = web.post(url + '/auth/login', data={'username': 'demo', 'password': 'x'},
                       timeout=30)
    assert refused.status_code == 403
    resp = web.post(url + '/auth/login', data={
        'username': 'demo', 'password': env['OS_PASSWORD'], 'domain': 'Default',
        'csrf_token': token}, timeout=60)
    assert resp.status_code == 200 and 'Overview of demo' in resp.text
    assert 'data-quota="Servers"' in resp.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', resp.text).group(1)
    out = web.post(url + '/auth/logout', data={'csrf_token': token}, timeout=30)
    assert out.status_code == 200 and 'login-form' in out.text
