"""Route requests to controller actions with ``routes``; unknown methods answer 405."""
import routes
import routes.middleware
import webob
import webob.dec

from common import exceptions
from common.wsgi import response as wsgi_response


class Router:
    """A WSGI app dispatching ``(method, path)`` to ``controller.action(req, **path_vars)``.

    Controllers return a ``webob.Response`` (sent as is), a dict or list (sent as JSON 200),
    or ``None`` (204 No Content).  They raise ``common.exceptions.APIError`` for errors.
    """

    def __init__(self):
        self.mapper = routes.Mapper()
        self._paths = {}
        # routes stringifies controller values, so the mapper holds names of these.
        self._controllers = {}

    def _name(self, controller):
        name = 'c%x' % id(controller)
        self._controllers[name] = controller
        return name

    def add(self, path, controller, methods):
        """Connect ``path`` with ``{'GET': 'index', 'POST': 'create'}`` style method map."""
        seen = self._paths.setdefault(path, {})
        for method, action in methods.items():
            seen[method.upper()] = action
            self.mapper.connect(path, controller=self._name(controller), action=action,
                                conditions={'method': [method.upper()]})
            if method.upper() == 'GET' and 'HEAD' not in methods:
                self.mapper.connect(path, controller=self._name(controller), action=action,
                                    conditions={'method': ['HEAD']})

    def finalize(self):
        """Register 405 answers for every path's unsupported methods; call after all ``add``."""
        for path, methods in self._paths.items():
            allowed = sorted(set(methods) | ({'HEAD'} if 'GET' in methods else set()))
            self.mapper.connect(path, controller=self._name(_MethodNotAllowed(allowed)),
                                action='__call__')
        return self

    def __call__(self, environ, start_response):
        return self._dispatch(webob.Request(environ))(environ, start_response)

    def _dispatch(self, req):
        match = self.mapper.match(environ=req.environ)
        if match is None:
            raise exceptions.NotFound('The resource could not be found.')
        match = dict(match)
        controller = self._controllers[match.pop('controller')]
        action = match.pop('action')
        req.environ['wsgiorg.routing_args'] = ((), match)
        method = getattr(controller, action)
        result = method(req, **match)
        return wsgi_response.to_response(req, result)


class _MethodNotAllowed:
    def __init__(self, allowed):
        self.allowed = allowed

    def __call__(self, req, **_kw):
        err = exceptions.MethodNotAllowed(
            'The method %s is not allowed on this resource (allowed: %s).'
            % (req.method, ', '.join(self.allowed)))
        err.extra['headers'] = {'Allow': ', '.join(self.allowed)}
        raise err
