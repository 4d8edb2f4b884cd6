"""Absolute limits of a project and what it uses (GET /limits)."""
from compute.api import base
from compute.db import instances
from compute.db import quotas
from compute.db import server_groups

# Network quotas belong to the network service; before 2.36 they were shown as constants.
_NETWORK_LIMITS = {'maxSecurityGroups': 10, 'maxSecurityGroupRules': 20,
                   'maxTotalFloatingIps': 10, 'totalFloatingIpsUsed': 0,
                   'totalSecurityGroupsUsed': 0}


class Limits(base.Controller):
    def index(self, req):
        ctx = self.authorize(req, 'limits')
        project_id = ctx.project_id
        wanted = req.GET.get('tenant_id')
        if wanted and wanted != project_id:
            self.authorize(req, 'limits:other_project', {'project_id': wanted})
            project_id = wanted
        limits = quotas.get_limits(self.db, project_id)
        used = instances.count_usage(self.db, project_id)
        absolute = {
            'maxServerMeta': limits['metadata_items'], 'maxImageMeta': limits['metadata_items'],
            'maxTotalKeypairs': limits['key_pairs'], 'maxServerGroups': limits['server_groups'],
            'maxServerGroupMembers': limits['server_group_members'],
            'maxTotalCores': limits['cores'], 'maxTotalInstances': limits['instances'],
            'maxTotalRAMSize': limits['ram'],
            'totalCoresUsed': used['cores'], 'totalRAMUsed': used['ram'],
            'totalInstancesUsed': used['instances'],
            'totalServerGroupsUsed': server_groups.count(self.db, project_id)}
        if not base.at_least(req, '2.57'):
            absolute['maxPersonality'] = limits['injected_files']
            absolute['maxPersonalitySize'] = limits['injected_file_content_bytes']
        if not base.at_least(req, '2.36'):
            absolute.update(_NETWORK_LIMITS)
        out = {'absolute': absolute}
        if not base.at_least(req, '2.39'):
            out['rate'] = []
        return {'limits': out}
