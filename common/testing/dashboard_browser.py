"""Helpers of the dashboard's browser tests: headless Chromium (Debian's chromium and
chromium-driver through selenium), the dashboard's paste pipeline served from the test
process, and the cloud the test drives (devstack's, from its openrc) with cleanup."""
import json
import os
import socketserver
import subprocess
import threading
from wsgiref import simple_server

from common import client
from common.testing import daemons

DOC_DIR = os.path.join(daemons.REPO, 'doc', 'dashboard')
CHROMIUM = os.environ.get('CHROMIUM', '/usr/bin/chromium')
CHROMEDRIVER = os.environ.get('CHROMEDRIVER', '/usr/bin/chromedriver')


def browser(width=1280, height=900):
    """A headless Chromium driven by selenium (no driver download: Debian's driver)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ('--headless=new', '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu',
                '--window-size=%d,%d' % (width, height), '--lang=en-US'):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(120)
    driver.set_script_timeout(30)
    return driver


def shot(driver, name):
    os.makedirs(DOC_DIR, exist_ok=True)
    driver.save_screenshot(os.path.join(DOC_DIR, name + '.png'))


def wait(driver, condition, timeout):
    """The first truthy value of ``condition(driver)`` within ``timeout`` seconds."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.5).until(condition)
    except TimeoutException:
        # What the page showed, for the failure's message and a look afterwards.
        path = os.path.join(os.environ.get('TMPDIR', '/tmp'), 'dashboard-test-timeout.png')
        driver.save_screenshot(path)
        body = driver.find_element('tag name', 'body').text
        raise AssertionError('timed out after %ss at %s (screenshot %s); the page says:\n%s'
                             % (timeout, driver.current_url, path, body[:1500]))


def wait_text(driver, element_id, text, timeout):
    return wait(driver, lambda d: text in d.find_element('id', element_id).text, timeout)


class _ThreadingServer(socketserver.ThreadingMixIn, simple_server.WSGIServer):
    daemon_threads = True


class _QuietHandler(simple_server.WSGIRequestHandler):
    def log_message(self, *args):
        pass


class DashboardServer:
    """The dashboard's paste pipeline (etc/dashboard/api-paste.ini) on a free loopback port
    in this process, so a test can look into its session store."""

    def __init__(self, auth_url, workdir):
        from dashboard.conf import CONF
        self.conf = CONF
        self.port = daemons.free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        CONF.set_override('state_path', workdir)
        CONF.set_override('auth_url', auth_url, 'dashboard')
        self._server = None

    def start(self):
        from common.wsgi import server
        from dashboard import app as app_mod
        pipeline = server.load_paste_app(os.path.join(daemons.REPO, 'etc', 'dashboard',
                                                      'api-paste.ini'), conf=self.conf)
        inner = pipeline
        while not isinstance(inner, app_mod.Dashboard):
            inner = inner.app
        self.dashboard = inner
        self._server = simple_server.make_server('127.0.0.1', self.port, pipeline,
                                                 server_class=_ThreadingServer,
                                                 handler_class=_QuietHandler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        self.conf.clear_override('state_path')
        self.conf.clear_override('auth_url', 'dashboard')

    def session_token(self, cookie_value):
        sid = self.dashboard.sessions.signer.unsign(cookie_value)
        return self.dashboard.sessions.store.get(sid)['token']


class InProcessClient:
    """Requests to a dashboard app in this process with one cookie jar, as one browser
    would send them (functional tests and the benchmark)."""

    def __init__(self, app):
        self.app = app
        self.cookie = None

    def request(self, path, method='GET', form=None):
        import webob
        from dashboard import session as session_mod
        req = webob.Request.blank(path, method=method, POST=form)
        if self.cookie:
            req.cookies[session_mod.COOKIE_NAME] = self.cookie
        resp = req.get_response(self.app)
        for header in resp.headers.getall('Set-Cookie'):
            name, _, rest = header.partition('=')
            if name == session_mod.COOKIE_NAME:
                self.cookie = rest.split(';', 1)[0] or None
        return resp

    def csrf(self, path='/project/overview'):
        import re
        page = self.request(path)
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def login(self, user, password, domain='Default'):
        token = self.csrf('/auth/login')
        return self.request('/auth/login', 'POST', {'username': user, 'password': password,
                                                    'domain': domain, 'csrf_token': token})

    def post(self, path, form, csrf_from='/project/overview'):
        return self.request(path, 'POST', dict(form, csrf_token=self.csrf(csrf_from)))


def openrc_env(openrc, user):
    """The OS_* variables ``source openrc <user>`` sets."""
    out = subprocess.run(['bash', '-c', 'source "$1" "$2" >/dev/null && env -0', 'rc', openrc,
                          user], capture_output=True, check=True, timeout=30).stdout
    pairs = (item.split(b'=', 1) for item in out.split(b'\0') if b'=' in item)
    return {k.decode(): v.decode() for k, v in pairs if k.startswith(b'OS_')}


class Cloud:
    """The cloud of an openrc as its admin and demo users; deletes what tests tracked."""

    CLIENTS = {'compute': client.ComputeClient, 'image': client.ImageClient,
               'network': client.NetworkClient, 'identity': client.IdentityClient,
               'object': client.ObjectStoreClient}

    def __init__(self, openrc):
        self.env = {user: openrc_env(openrc, user) for user in ('admin', 'demo')}
        self.auth_url = self.env['admin']['OS_AUTH_URL']
        self.sessions = {user: client.session_from_env(env) for user, env in self.env.items()}
        self.tracked = []

    def password(self, user):
        return self.env[user]['OS_PASSWORD']

    def client(self, service, admin=False):
        return self.CLIENTS[service](self.sessions['admin' if admin else 'demo'],
                                     region_name=self.env['admin'].get('OS_REGION_NAME'))

    def find(self, service, path, key, admin=False):
        items = self.client(service, admin).get(path).json()[key]
        assert len(items) == 1, items
        return items[0]

    def token_valid(self, token):
        resp = self.client('identity', admin=True).get(
            '/v3/auth/tokens', headers={'X-Subject-Token': token}, raise_exc=False)
        return resp.status_code == 200

    def has_role(self, project_id, user_id, role_name):
        ks = self.client('identity', admin=True)
        assignments = ks.get('/v3/role_assignments?scope.project.id=%s&user.id=%s'
                             '&include_names=true' % (project_id, user_id)).json()
        return role_name in {a['role']['name'] for a in assignments['role_assignments']}

    def track(self, kind, ident):
        self.tracked.append((kind, ident))

    def cleanup(self):
        """Delete what was tracked, newest first; report (not raise) what would not go."""
        problems = []
        for kind, ident in reversed(self.tracked):
            try:
                self._delete(kind, ident)
            except Exception as exc:   # keep cleaning the rest
                problems.append('%s %s: %s' % (kind, ident, exc))
        if problems:
            print('dashboard browser test cleanup problems:\n' + '\n'.join(problems))

    def _delete(self, kind, ident):
        import time
        if kind == 'server':
            compute = self.client('compute')
            compute.delete('/servers/%s' % ident, raise_exc=False)
            for _ in range(60):
                if compute.get('/servers/%s' % ident, raise_exc=False).status_code == 404:
                    return
                time.sleep(2)
        elif kind == 'keypair':
            self.client('compute').delete('/os-keypairs/%s' % ident, raise_exc=False)
        elif kind == 'floatingip':
            self.client('network').delete('/v2.0/floatingips/%s' % ident, raise_exc=False)
        elif kind == 'image':
            self.client('image').delete('/v2/images/%s' % ident, raise_exc=False)
        elif kind == 'router':
            net = self.client('network')
            for port in net.get('/v2.0/ports?device_id=%s' % ident).json()['ports']:
                if port['device_owner'] == 'network:router_interface':
                    net.put('/v2.0/routers/%s/remove_router_interface' % ident,
                            {'port_id': port['id']}, raise_exc=False)
            net.delete('/v2.0/routers/%s' % ident, raise_exc=False)
        elif kind == 'network':
            self.client('network').delete('/v2.0/networks/%s' % ident, raise_exc=False)
        elif kind == 'container':
            store = self.client('object')
            for obj in store.get('/%s?format=json' % ident).json():
                store.delete('/%s/%s' % (ident, obj['name']), raise_exc=False)
            store.delete('/%s' % ident, raise_exc=False)
        elif kind == 'project':
            self.client('identity', admin=True).delete('/v3/projects/%s' % ident,
                                                       raise_exc=False)
        elif kind == 'user':
            self.client('identity', admin=True).delete('/v3/users/%s' % ident,
                                                       raise_exc=False)
        else:
            raise ValueError(json.dumps(kind))
