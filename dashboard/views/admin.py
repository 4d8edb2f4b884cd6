"""Administration (admin role only, enforced for every /admin/ path by the app, and the
links shown to admins only): hypervisors, compute services, and every project's
instances."""
from common import client
from dashboard import app as app_mod
from dashboard.views import compute


class Admin(app_mod.Page):
    def hypervisors(self, req):
        cloud = self.cloud(req)
        rows = cloud.get('compute', '/os-hypervisors/detail')['hypervisors']
        rows = sorted(rows, key=lambda h: h.get('hypervisor_hostname') or '')
        return self.render(req, 'admin_hypervisors.html', hypervisors=rows)

    def services(self, req):
        cloud = self.cloud(req)
        rows = cloud.get('compute', '/os-services')['services']
        rows = sorted(rows, key=lambda s: (s.get('binary') or '', s.get('host') or ''))
        return self.render(req, 'admin_services.html', services=rows)

    def instances(self, req):
        cloud = self.cloud(req)
        servers, pager = self.table(req, cloud, 'compute', '/servers/detail', 'servers',
                                    all_tenants=1)
        flavors = {f['id']: f['name'] for f in cloud.get('compute', '/flavors')['flavors']}
        projects = self._project_names(cloud)
        rows = []
        for s in servers:
            row = compute.server_row(s, flavors)
            project = s.get('tenant_id') or s.get('project_id') or ''
            row['project'] = projects.get(project, project)
            rows.append(row)
        return self.render(req, 'admin_instances.html', servers=rows, **pager)

    @staticmethod
    def _project_names(cloud):
        """{project id: name}; {} when identity does not answer (the ids are shown)."""
        try:
            ks = cloud.identity()
            return {p.id: p.name for p in cloud.call_identity(ks.projects.list)}
        except (client.ClientError, KeyError):
            return {}


def add_routes(add, app):
    a = Admin(app)
    add('/admin/hypervisors', a, {'GET': 'hypervisors'})
    add('/admin/services', a, {'GET': 'services'})
    add('/admin/instances', a, {'GET': 'instances'})
