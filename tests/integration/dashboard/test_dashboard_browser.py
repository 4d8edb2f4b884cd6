"""The dashboard in a real headless Chromium (Debian's chromium + chromium-driver, driven by
selenium) against a running devstack cloud: demo logs in, launches a server from the guest
image and sees it ACTIVE without a reload, reads its console log, opens the noVNC console,
allocates and associates a floating IP, uploads an image (progress bar to 100%), builds a
network, subnet and router, uploads and downloads an object; admin creates a project and a
user with a role; logout revokes the token. Also: a server named <script> shows as text, a
POST without the CSRF token is refused, a member's direct URL to an admin page is refused.
Screenshots go to doc/dashboard/.

The dashboard under test runs in this process (the paste pipeline devstack's daemon runs,
on a free port), so the test can see the session's token and prove logout revoked it;
tests/integration/dashboard/test_dashboard_devstack_daemon.py checks devstack's own daemon.
Runs against the cloud whose openrc is $DASHBOARD_TEST_OPENRC (skipped without it), under
the heavy lock:
    DASHBOARD_TEST_OPENRC=/path/openrc flock -o /tmp/cirrostack-heavy.lock \\
        .venv/bin/python -m pytest tests/integration/dashboard
"""
import os
import time
import urllib.parse
import uuid

import pytest
import requests

from common.testing.dashboard_browser import DOC_DIR, Cloud, DashboardServer, browser, \
    shot, wait

OPENRC = os.environ.get('DASHBOARD_TEST_OPENRC')
pytestmark = [pytest.mark.timeout(900), pytest.mark.integration,
              pytest.mark.skipif(not OPENRC, reason='DASHBOARD_TEST_OPENRC names no cloud')]

RUN = uuid.uuid4().hex[:6]
# Seconds a page may take to answer an action: generous, as a loaded 2-core machine (a TCG
# guest, other clouds' tests) slows every service.
ACTION = 90
XSS_NAME = 'dash-%s<script>window.__xss=1</script>' % RUN
STATE = {}


@pytest.fixture(scope='module')
def cloud():
    c = Cloud(OPENRC)
    yield c
    c.cleanup()


@pytest.fixture(scope='module')
def server(tmp_path_factory, cloud):
    srv = DashboardServer(cloud.auth_url, str(tmp_path_factory.mktemp('dashboard')))
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope='module')
def driver():
    d = browser()
    yield d
    d.quit()


def login(driver, server, user, password):
    driver.get(server.url + '/auth/login')
    driver.find_element('id', 'username').send_keys(user)
    driver.find_element('id', 'password').send_keys(password)
    driver.find_element('id', 'login-submit').click()
    wait(driver, lambda d: '/project/overview' in d.current_url, ACTION)


def logout(driver):
    driver.find_element('id', 'logout').click()
    wait(driver, lambda d: '/auth/login' in d.current_url, ACTION)


def flash(driver):
    return ' '.join(e.text for e in driver.find_elements('css selector', '.flash'))


def test_login_and_overview(driver, server, cloud):
    driver.get(server.url + '/auth/login')
    shot(driver, 'login')
    login(driver, server, 'demo', cloud.password('demo'))
    assert 'Overview of demo' in driver.page_source
    bars = driver.find_elements('css selector', '.quota')
    assert {'Servers', 'vCPUs', 'RAM', 'Floating IPs'} <= {
        b.get_attribute('data-quota') for b in bars}
    shot(driver, 'overview')


def test_key_pair_private_key_downloads_once(driver, server, cloud):
    name = 'dash-key-%s' % RUN
    driver.get(server.url + '/project/keypairs')
    driver.find_element('id', 'kp-name').send_keys(name)
    driver.find_element('css selector', '#create-keypair button').click()
    link = wait(driver, lambda d: d.find_elements('id', 'download-key'), ACTION)[0]
    cloud.track('keypair', name)
    cookies = {c['name']: c['value'] for c in driver.get_cookies()}
    first = requests.get(link.get_attribute('href'), cookies=cookies, timeout=30)
    assert first.status_code == 200 and b'PRIVATE KEY' in first.content
    again = requests.get(link.get_attribute('href'), cookies=cookies, timeout=30)
    assert again.status_code == 404
    shot(driver, 'keypairs')


def test_launch_server_becomes_active_without_reload(driver, server, cloud):
    driver.get(server.url + '/project/servers/launch')
    driver.find_element('id', 'name').send_keys(XSS_NAME)
    Select = _select()
    Select(driver.find_element('id', 'image')).select_by_visible_text('guest')
    flavor = Select(driver.find_element('id', 'flavor'))
    flavor.select_by_index([o.text.startswith('m1.nano') for o in flavor.options].index(True))
    Select(driver.find_element('id', 'network')).select_by_visible_text('private')
    Select(driver.find_element('id', 'key_name')).select_by_visible_text('dash-key-%s' % RUN)
    driver.find_element('id', 'user_data').send_keys('#!/bin/sh\necho dashboard\n')
    shot(driver, 'launch')
    driver.find_element('id', 'launch-submit').click()
    wait(driver, lambda d: d.current_url.endswith('/project/servers'), 60)
    # A marker in the page's window: a reload would lose it.
    driver.execute_script('window.__noReload = "still here";')
    row = wait(driver, lambda d: [r for r in d.find_elements('css selector',
                                                             'table#servers tbody tr')
                                  if XSS_NAME in r.text], ACTION)[0]
    STATE['server_id'] = row.get_attribute('data-id')
    cloud.track('server', STATE['server_id'])
    wait(driver, lambda d: d.find_element(
        'css selector', 'tr[data-id="%s"] td.status' % STATE['server_id']).text == 'ACTIVE',
        240)
    assert driver.execute_script('return window.__noReload;') == 'still here'
    # The <script> in the name is text, not code.
    assert driver.execute_script('return window.__xss;') is None
    name_cell = driver.find_element('css selector',
                                    'tr[data-id="%s"] td.name' % STATE['server_id'])
    assert name_cell.text == XSS_NAME
    shot(driver, 'servers')


def test_console_log_and_novnc(driver, server):
    sid = STATE['server_id']
    driver.get(server.url + '/project/servers/%s' % sid)
    assert driver.find_element('id', 'server-status').text == 'ACTIVE'
    shot(driver, 'server_detail')
    # The guest's init says "guest: dhcp ok <address>" on its console once it is up.
    deadline = time.monotonic() + 150
    while True:
        driver.get(server.url + '/project/servers/%s/console-log' % sid)
        text = driver.find_element('id', 'console-output').text
        if 'guest: dhcp ok' in text or time.monotonic() > deadline:
            break
        time.sleep(3)
    assert 'guest: dhcp ok' in text, text[-2000:]
    shot(driver, 'console_log')
    driver.get(server.url + '/project/servers/%s/vnc' % sid)
    wait(driver, lambda d: ':6080/' in d.current_url, ACTION)
    assert 'token=' in urllib.parse.unquote(driver.current_url)
    wait(driver, lambda d: d.find_element('id', 'status').text.startswith('Connected'), ACTION)
    time.sleep(2)
    shot(driver, 'novnc')


def test_allocate_and_associate_floating_ip(driver, server, cloud):
    driver.get(server.url + '/project/floating_ips')
    driver.find_element('id', 'allocate-submit').click()
    wait(driver, lambda d: 'Allocated' in flash(d), ACTION)
    address = flash(driver).split('Allocated ')[1].split('.', 4)
    address = '.'.join(address[:4])
    row = [r for r in driver.find_elements('css selector', 'table#floating-ips tbody tr')
           if r.find_element('css selector', 'td.address').text == address][0]
    cloud.track('floatingip', row.get_attribute('data-id'))
    Select = _select()
    Select(row.find_element('name', 'server_id')).select_by_value(STATE['server_id'])
    row.find_element('css selector', 'form.associate button').click()
    wait(driver, lambda d: 'Associated %s' % address in flash(d), ACTION)
    row = [r for r in driver.find_elements('css selector', 'table#floating-ips tbody tr')
           if r.find_element('css selector', 'td.address').text == address][0]
    assert row.find_element('css selector', 'td.fixed').text.startswith('10.')
    assert row.find_element('css selector', 'td.server').text == XSS_NAME
    shot(driver, 'floating_ips')


def test_upload_image_with_progress(driver, server, cloud, tmp_path):
    path = tmp_path / 'tiny.raw'
    path.write_bytes(os.urandom(3 * 1024 * 1024))
    name = 'dash-img-%s' % RUN
    driver.get(server.url + '/project/images')
    driver.find_element('id', 'img-name').send_keys(name)
    _select()(driver.find_element('id', 'disk_format')).select_by_visible_text('raw')
    driver.find_element('id', 'img-file').send_keys(str(path))
    driver.find_element('id', 'upload-submit').click()
    wait(driver, lambda d: d.find_element('id', 'upload-percent').text == '100%', 120)
    assert driver.find_element('id', 'upload-progress').get_attribute('value') == '100'
    assert 'Upload complete' in driver.find_element('id', 'upload-status').text
    shot(driver, 'image_upload')
    wait(driver, lambda d: name in d.find_element('id', 'images').text, ACTION)
    image = cloud.find('image', '/v2/images?name=%s' % name, 'images')
    cloud.track('image', image['id'])
    assert image['status'] == 'active' and image['size'] == 3 * 1024 * 1024


def test_network_subnet_router(driver, server, cloud):
    name = 'dash-net-%s' % RUN
    driver.get(server.url + '/project/networks')
    driver.find_element('id', 'net-name').send_keys(name)
    driver.find_element('id', 'subnet_name').send_keys(name + '-sub')
    driver.find_element('id', 'cidr').send_keys('10.231.%d.0/24' % (int(RUN[:2], 16)))
    driver.find_element('id', 'create-network-submit').click()
    wait(driver, lambda d: 'Network %s created' % name in flash(d), ACTION)
    network = cloud.find('network', '/v2.0/networks?name=%s' % name, 'networks')
    cloud.track('network', network['id'])
    assert len(network['subnets']) == 1
    shot(driver, 'networks')
    driver.get(server.url + '/project/routers')
    driver.find_element('id', 'router-name').send_keys('dash-router-%s' % RUN)
    _select()(driver.find_element('id', 'external_network')).select_by_visible_text('public')
    driver.find_element('id', 'create-router-submit').click()
    wait(driver, lambda d: 'Router dash-router-%s created' % RUN in flash(d), ACTION)
    router = cloud.find('network', '/v2.0/routers?name=dash-router-%s' % RUN, 'routers')
    cloud.track('router', router['id'])
    driver.get(server.url + '/project/routers/%s' % router['id'])
    _select()(driver.find_element('id', 'subnet_id')).select_by_value(network['subnets'][0])
    driver.find_element('id', 'add-interface-submit').click()
    wait(driver, lambda d: 'Interface added' in flash(d), ACTION)
    assert 'network:router_interface' in driver.find_element('id', 'interfaces').text
    shot(driver, 'router')
    driver.get(server.url + '/project/topology')
    svg = driver.find_element('id', 'topology')
    assert name in svg.text and 'public' in svg.text
    assert svg.find_elements('css selector', 'a.router[data-id="%s"]' % router['id'])
    shot(driver, 'topology')


def test_object_upload_and_download(driver, server, cloud, tmp_path):
    container = 'dash-c-%s' % RUN
    driver.get(server.url + '/project/containers')
    driver.find_element('id', 'container-name').send_keys(container)
    driver.find_element('id', 'create-container-submit').click()
    wait(driver, lambda d: 'Container %s created' % container in flash(d), ACTION)
    cloud.track('container', container)
    data = os.urandom(200 * 1024)
    path = tmp_path / 'payload.bin'
    path.write_bytes(data)
    driver.get(server.url + '/project/containers/%s' % container)
    driver.find_element('id', 'obj-file').send_keys(str(path))
    driver.find_element('id', 'upload-submit').click()
    wait(driver, lambda d: 'Upload complete' in d.find_element('id', 'upload-status').text, 60)
    wait(driver, lambda d: 'payload.bin' in d.find_element('id', 'objects').text, ACTION)
    shot(driver, 'objects')
    link = driver.find_element('css selector', 'a.download').get_attribute('href')
    cookies = {c['name']: c['value'] for c in driver.get_cookies()}
    resp = requests.get(link, cookies=cookies, timeout=60)
    assert resp.status_code == 200 and resp.content == data
    assert 'attachment' in resp.headers['Content-Disposition']


def test_post_without_csrf_token_is_refused(driver, server):
    status = driver.execute_async_script(
        'var done = arguments[arguments.length - 1];'
        'fetch("/project/servers/" + arguments[0] + "/action", {method: "POST",'
        ' credentials: "same-origin", headers: {"Content-Type":'
        ' "application/x-www-form-urlencoded"}, body: "action=stop"})'
        '.then(function (r) { done(r.status); });', STATE['server_id'])
    assert status == 403
    driver.get(server.url + '/project/servers/%s' % STATE['server_id'])
    assert driver.find_element('id', 'server-status').text == 'ACTIVE'


def test_member_direct_url_to_admin_page_is_refused(driver, server):
    driver.get(server.url + '/identity/users')
    assert 'administrators only' in driver.find_element('id', 'error-message').text
    assert 'Users' not in driver.find_element('css selector', 'nav.side').text


def test_logout_revokes_the_token(driver, server, cloud):
    token = server.session_token(driver.get_cookie('csdash_session')['value'])
    assert cloud.token_valid(token)
    logout(driver)
    assert not cloud.token_valid(token)
    driver.get(server.url + '/project/servers')
    assert '/auth/login' in driver.current_url


def test_admin_creates_project_and_user_with_role(driver, server, cloud):
    login(driver, server, 'admin', cloud.password('admin'))
    project = 'dash-proj-%s' % RUN
    driver.get(server.url + '/identity/projects')
    driver.find_element('id', 'project-name').send_keys(project)
    driver.find_element('id', 'create-project-submit').click()
    wait(driver, lambda d: 'Project %s created' % project in flash(d), ACTION)
    found = cloud.find('identity', '/v3/projects?name=%s' % project, 'projects', admin=True)
    cloud.track('project', found['id'])
    shot(driver, 'identity_projects')
    driver.get(server.url + '/identity/users')
    user = 'dash-user-%s' % RUN
    driver.find_element('id', 'user-name').send_keys(user)
    driver.find_element('id', 'user-password').send_keys('pw-%s-secret' % RUN)
    Select = _select()
    Select(driver.find_element('id', 'user-project')).select_by_visible_text(project)
    Select(driver.find_element('id', 'user-role')).select_by_visible_text('member')
    driver.find_element('id', 'create-user-submit').click()
    wait(driver, lambda d: 'User %s created' % user in flash(d), ACTION)
    created = cloud.find('identity', '/v3/users?name=%s' % user, 'users', admin=True)
    cloud.track('user', created['id'])
    shot(driver, 'identity_users')
    assert cloud.has_role(found['id'], created['id'], 'member')
    logout(driver)


def _select():
    from selenium.webdriver.support.ui import Select
    return Select


def test_screenshots_written():
    names = sorted(f for f in os.listdir(DOC_DIR) if f.endswith('.png'))
    assert {'overview.png', 'servers.png', 'image_upload.png'} <= set(names)
