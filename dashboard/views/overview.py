"""The project overview: quota usage of compute, block storage and network."""
from common import client
from dashboard import app as app_mod


def _bar(label, used, limit, unit=''):
    used = used or 0
    unlimited = limit is None or limit < 0
    percent = 0 if unlimited or not limit else min(100, round(100.0 * used / limit))
    return {'label': label, 'used': used, 'limit': None if unlimited else limit,
            'percent': percent, 'unit': unit}


class Overview(app_mod.Page):
    def index(self, req):
        cloud = self.cloud(req)
        bars, problems = [], []
        try:
            absolute = cloud.get('compute', '/limits')['limits']['absolute']
            bars += [_bar('Servers', absolute.get('totalInstancesUsed'),
                          absolute.get('maxTotalInstances')),
                     _bar('vCPUs', absolute.get('totalCoresUsed'),
                          absolute.get('maxTotalCores')),
                     _bar('RAM', absolute.get('totalRAMUsed'),
                          absolute.get('maxTotalRAMSize'), 'MiB')]
        except client.ClientError as exc:
            problems.append(('compute', exc))
        if cloud.has('volume'):
            try:
                absolute = cloud.get('volume', '/limits')['limits']['absolute']
                bars += [_bar('Volumes', absolute.get('totalVolumesUsed'),
                              absolute.get('maxTotalVolumes')),
                         _bar('Volume storage', absolute.get('totalGigabytesUsed'),
                              absolute.get('maxTotalVolumeGigabytes'), 'GiB')]
            except client.ClientError as exc:
                problems.append(('block storage', exc))
        try:
            quota = cloud.get('network', '/v2.0/quotas/%s/details' % cloud.project_id)['quota']
            for key, label in (('floatingip', 'Floating IPs'),
                               ('security_group', 'Security groups'),
                               ('network', 'Networks'), ('router', 'Routers')):
                item = quota.get(key) or {}
                bars.append(_bar(label, item.get('used'), item.get('limit')))
        except client.ClientError as exc:
            problems.append(('network', exc))
        return self.render(req, 'overview.html', bars=bars, problems=problems)


def add_routes(add, app):
    add('/project/overview', Overview(app), {'GET': 'index'})
