"""OS-EP-FILTER associations: ``/v3/OS-EP-FILTER/endpoint_groups/{id}/projects[/{id}]``,
``.../endpoint_groups/{id}/endpoints`` and ``/v3/OS-EP-FILTER/projects/{id}/endpoint_groups``.
A project associated with endpoint groups gets only their endpoints in its catalog."""
from identity.api import base


class EndpointFilterController(base.Controller):
    def associate(self, req, endpoint_group_id, project_id):
        self.enforce(req, 'identity:add_endpoint_group_to_project')
        self.store.associate_endpoint_group(endpoint_group_id, project_id)

    def check(self, req, endpoint_group_id, project_id):
        self.enforce(req, 'identity:get_endpoint_group_in_project')
        project = self.store.endpoint_group_project(endpoint_group_id, project_id)
        return {'project': self.app.views.project(req, project)}

    def dissociate(self, req, endpoint_group_id, project_id):
        self.enforce(req, 'identity:remove_endpoint_group_from_project')
        self.store.dissociate_endpoint_group(endpoint_group_id, project_id)

    def projects(self, req, endpoint_group_id):
        self.enforce(req, 'identity:list_projects_associated_with_endpoint_group')
        return self.collection(req, 'projects', [
            self.app.views.project(req, p)
            for p in self.store.endpoint_group_projects(endpoint_group_id)])

    def endpoints(self, req, endpoint_group_id):
        self.enforce(req, 'identity:list_endpoints_associated_with_endpoint_group')
        return self.collection(req, 'endpoints', [
            self.app.views.endpoint(req, e)
            for e in self.store.endpoint_group_endpoints(endpoint_group_id)])

    def groups_of_project(self, req, project_id):
        self.enforce(req, 'identity:list_endpoint_groups_for_project')
        return self.collection(req, 'endpoint_groups', [
            self.app.views.endpoint_group(req, g)
            for g in self.store.project_endpoint_groups(project_id)])
