"""Agents: rows written by report_state heartbeats; alive while heartbeats are recent."""
import datetime

import sqlalchemy as sa

from common.db import query
from common import validators
from common.db import types
from network import exceptions as nexc
from network import rpcapi
from network.db import models
from network.plugin import availabilityzones

A = models.Agent
FIELDS = {
    'id': query.Field(A.id),
    'agent_type': query.Field(A.agent_type),
    'binary': query.Field(A.binary),
    'host': query.Field(A.host),
    'topic': query.Field(A.topic),
    'admin_state_up': query.Field(A.admin_state_up, 'bool'),
    'description': query.Field(A.description),
    'heartbeat_timestamp': query.Field(A.heartbeat_timestamp),
    'created_at': query.Field(A.created_at),
    'started_at': query.Field(A.started_at),
}


class AgentManager:
    def __init__(self, core_):
        self.core = core_
        # 'alive' is derived from the heartbeat time, so its filter needs the cut-off.
        self.fields = dict(FIELDS, alive=query.Field(None, 'bool', clause=self._alive_clause))

    def _cutoff(self):
        return types.utcnow() - datetime.timedelta(
            seconds=self.core.conf.network.agent_down_time)

    def alive_clause(self, alive):
        """SQL: the agent's last heartbeat is recent (``alive``) or not."""
        return self._alive_clause([alive])

    def _alive_clause(self, values):
        cutoff = self._cutoff()
        parts = [A.heartbeat_timestamp >= cutoff if v else A.heartbeat_timestamp < cutoff
                 for v in values]
        return sa.or_(*parts)

    def to_dict(self, row):
        return {'id': row.id, 'agent_type': row.agent_type, 'binary': row.binary,
                'host': row.host, 'topic': row.topic, 'admin_state_up': row.admin_state_up,
                'alive': row.heartbeat_timestamp >= self._cutoff(),
                'configurations': row.configurations or {}, 'description': row.description,
                'heartbeat_timestamp': row.heartbeat_timestamp, 'created_at': row.created_at,
                'started_at': row.started_at,
                # only the agents whose zone places something show it, as in Neutron
                'availability_zone': row.availability_zone
                if row.agent_type in (rpcapi.AGENT_DHCP, rpcapi.AGENT_L3) else None,
                'resources_synced': None}

    def get_row(self, sess, agent_id):
        row = sess.get(A, agent_id) if isinstance(agent_id, str) else None
        if row is None:
            raise nexc.AgentNotFound('Agent %s could not be found.' % agent_id)
        return row

    def show(self, ctx, agent_id):
        return self.core.transaction(lambda sess: self.to_dict(self.get_row(sess, agent_id)))

    def list(self, ctx, filters, sorts, limit=None, marker=None, page_reverse=False):
        def run(sess):
            marker_row = self.get_row(sess, marker) if marker else None
            stmt = query.build(A, self.fields, None, filters, sorts, limit, marker_row,
                               page_reverse, errors=nexc.QUERY_ERRORS)
            return [self.to_dict(r) for r in sess.scalars(stmt)]
        return self.core.transaction(run)

    def update(self, ctx, agent_id, data):
        def run(sess):
            row = self.get_row(sess, agent_id)
            for key in ('admin_state_up', 'description'):
                if key in data:
                    setattr(row, key, data[key] if data[key] is not None else '')
            return self.to_dict(row)
        return self.core.transaction(run)

    def delete(self, ctx, agent_id):
        self.core.transaction(lambda sess: sess.delete(self.get_row(sess, agent_id)))

    def report(self, agent):
        """Record a heartbeat (report_state); creates the row on an agent's first report."""
        for key in ('binary', 'host', 'agent_type'):
            if not isinstance(agent.get(key), str) or not agent[key]:
                raise ValueError('report_state: agent.%s must be a non-empty string' % key)
        if agent['agent_type'] not in rpcapi.AGENT_TYPES:
            raise ValueError('report_state: unknown agent_type %r' % agent['agent_type'])
        configurations = agent.get('configurations') or {}
        if not isinstance(configurations, dict):
            raise ValueError('report_state: configurations must be an object')
        zone = agent.get('availability_zone') or 'nova'
        try:
            availabilityzones.zone_name(zone)
        except validators.InvalidValue as exc:
            raise ValueError('report_state: %s' % exc.problem) from None

        def run(sess):
            now = types.utcnow()
            row = sess.scalar(sa.select(A).where(A.agent_type == agent['agent_type'],
                                                 A.host == agent['host']))
            if row is None:
                row = A(agent_type=agent['agent_type'], host=agent['host'], started_at=now,
                        created_at=now)
                sess.add(row)
            elif agent.get('start_flag'):
                row.started_at = now
            row.binary = agent['binary']
            row.topic = agent.get('topic') or ''
            row.configurations = configurations
            row.availability_zone = zone
            row.heartbeat_timestamp = now
            sess.flush()
            return {'id': row.id, 'alive': True}
        return self.core.transaction(run)

    def live_hosts(self, sess, agent_type, hosts):
        """The subset of ``hosts`` with a live, admin-up agent of ``agent_type``."""
        if not hosts:
            return set()
        return set(sess.scalars(sa.select(A.host).where(
            A.agent_type == agent_type, A.host.in_(sorted(hosts)),
            A.admin_state_up.is_(True), A.heartbeat_timestamp >= self._cutoff())))
