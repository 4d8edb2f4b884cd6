"""GET /servers/{id}/diagnostics (admin): the guest's figures from its hypervisor; the
standard format from 2.48, the libvirt driver's flat keys before it."""
from compute.api import base


def legacy(data):
    """The pre-2.48 libvirt-style dict: cpuN_time, memory (KiB), <disk>_read..., <nic>_rx..."""
    out = {'memory': (data['memory_details']['maximum'] or 0) * 1024}
    for cpu in data['cpu_details']:
        out['cpu%d_time' % cpu['id']] = cpu['time']
    for disk in data['disk_details']:
        name = disk['name']
        out.update({name + '_read': disk['read_bytes'], name + '_read_req':
                    disk['read_requests'], name + '_write': disk['write_bytes'],
                    name + '_write_req': disk['write_requests'],
                    name + '_errors': disk['errors_count']})
    for nic in data['nic_details']:
        name = nic['name'] or nic['mac_address']
        for ours, theirs in (('rx_octets', '_rx'), ('rx_packets', '_rx_packets'),
                             ('rx_errors', '_rx_errors'), ('rx_drop', '_rx_drop'),
                             ('tx_octets', '_tx'), ('tx_packets', '_tx_packets'),
                             ('tx_errors', '_tx_errors'), ('tx_drop', '_tx_drop')):
            out[name + theirs] = nic[ours]
    return out


def standard(data):
    """The 2.48 format: the device names are not part of it."""
    out = dict(data)
    out['disk_details'] = [{k: v for k, v in d.items() if k != 'name'}
                           for d in data['disk_details']]
    out['nic_details'] = [{k: v for k, v in n.items() if k != 'name'}
                          for n in data['nic_details']]
    return out


class Diagnostics(base.Controller):
    def index(self, req, server_id):
        ctx = base.context(req)
        server = self.engine.get(ctx, server_id)
        self.authorize(req, 'os-server-diagnostics', {'project_id': server['project_id'],
                                                      'user_id': server['user_id']})
        data = self.engine.get_diagnostics(ctx, server)
        return standard(data) if base.at_least(req, '2.48') else legacy(data)
