"""os-instance_usage_audit_log (admin): the instance usage audit of the last completed
month before a time.  The audit is worked out from the server records when asked: per
compute host, the servers that lived on it during the period."""
import datetime

from common import exceptions
from common import validators
from common.db import types
from compute.api import base
from compute.api import hosts as hosts_api
from compute.db import instances
from compute.db import services

_FORMATS = ('%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S.%f',
            '%Y-%m-%dT%H:%M:%S')


def _parse(raw):
    for fmt in _FORMATS:
        try:
            return datetime.datetime.strptime(raw, fmt)
        except ValueError:
            continue
    raise exceptions.BadRequest('Invalid timestamp for date %s' % validators.quote(raw[:64]))


def last_completed_month(before):
    """(first day of the month before ``before``'s month, first day of its month)."""
    end = before.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    begin = (end - datetime.timedelta(days=1)).replace(day=1)
    return begin, end


class AuditLog(base.Controller):
    def _audit(self, before):
        begin, end = last_completed_month(before)
        hosts = sorted({s['host'] for s in services.list_(self.db, binary=hosts_api.WORKER)})
        counts = dict.fromkeys(hosts, 0)
        for server in instances.usage_in_period(self.db, None, begin, end):
            if server['host'] in counts:
                counts[server['host']] += 1
        log = {host: {'state': 'DONE', 'instances': count, 'errors': 0,
                      'message': 'Instance usage audit of host %s: %d instances in the '
                                 'period.' % (host, count)}
               for host, count in counts.items()}
        return {'period_beginning': str(begin), 'period_ending': str(end),
                'num_hosts': len(hosts), 'num_hosts_done': len(hosts),
                'num_hosts_running': 0, 'num_hosts_not_run': 0, 'hosts_not_run': [],
                'total_instances': sum(counts.values()), 'total_errors': 0,
                'overall_status': 'ALL hosts done. 0 errors.', 'log': log}

    def index(self, req):
        self.authorize(req, 'os-instance-usage-audit-log:list')
        return {'instance_usage_audit_logs': self._audit(types.utcnow())}

    def show(self, req, id):
        self.authorize(req, 'os-instance-usage-audit-log:show')
        return {'instance_usage_audit_log': self._audit(_parse(id))}
