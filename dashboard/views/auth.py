"""Login, logout and the project switcher."""
from common import client
from dashboard import app as app_mod


class Auth(app_mod.Page):
    def login_form(self, req):
        session = self.session(req)
        if session.get('token'):
            return self.redirect(app_mod.safe_next(req.GET.get('next')))
        # The form's CSRF token lives in this anonymous session.
        session.modified = True
        message = ('Your session has ended; please log in again.'
                   if req.GET.get('expired') else None)
        return self.render(req, 'login.html', next=req.GET.get('next', ''), errors={},
                           values={'domain': 'Default'}, notice=message)

    def login(self, req):
        session = self.session(req)
        errors = {}
        values = {'username': app_mod.form_text(req, 'username', True, label='User name',
                                                errors=errors),
                  'domain': app_mod.form_text(req, 'domain', label='Domain',
                                              errors=errors) or 'Default'}
        password = req.POST.get('password', '')
        if not password:
            errors['password'] = 'Password is required.'
        elif len(password) > 4096:
            errors['password'] = 'Password is too long.'
        next_url = req.POST.get('next', '')
        if errors:
            return self.render(req, 'login.html', status=400, errors=errors, values=values,
                               next=next_url, notice=None)
        login = self.app.login
        try:
            unscoped, user, projects = login.password(values['username'], password,
                                                      values['domain'])
            if not projects:
                login.revoke(unscoped, unscoped)
                raise client.ClientError(403, 'You have no role on any project.')
            scoped = login.scope(unscoped, projects[0]['id'])
        except client.ClientError as exc:
            status = 401 if exc.status == 401 else 400 if exc.status < 500 else 503
            return self.render(req, 'login.html', status=status, errors={'form': exc.message},
                               values=values, next=next_url, notice=None,
                               service_request_id=exc.request_id)
        # A new session id after login: an id planted before it is worth nothing.
        new = self.app.sessions.new(dict(user=user, unscoped_token=unscoped,
                                         projects=projects, **scoped))
        req.environ['dashboard.logout'] = True
        req.environ['dashboard.new_session'] = new
        return self.redirect(app_mod.safe_next(next_url))

    def logout(self, req):
        self.app.end_session(req, self.session(req), revoke=True)
        return self.redirect('/auth/login')

    def switch(self, req):
        session = self.session(req)
        project_id = req.POST.get('project_id', '')
        if project_id not in {p['id'] for p in session.get('projects', [])}:
            self.flash(req, 'error', 'You are not a member of that project.')
            return self.redirect('/project/overview')
        old = session.get('token')
        try:
            scoped = self.app.login.scope(session['unscoped_token'], project_id)
        except client.ClientError as exc:
            self.flash(req, 'error', exc.message, exc.request_id)
            return self.redirect('/project/overview')
        for key, value in scoped.items():
            session.set(key, value)
        if old and old != scoped['token']:
            self.app.login.revoke(old, old)
        self.flash(req, 'success', 'Now working in project %s.' % scoped['project_name'])
        return self.redirect('/project/overview')

    def root(self, req):
        return self.redirect('/project/overview')


def add_routes(add, app):
    auth = Auth(app)
    add('/', auth, {'GET': 'root'})
    add('/auth/login', auth, {'GET': 'login_form', 'POST': 'login'})
    add('/auth/logout', auth, {'POST': 'logout'})
    add('/auth/switch', auth, {'POST': 'switch'})
