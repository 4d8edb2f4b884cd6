"""Availability zones (availability_zone, network_availability_zone,
router_availability_zone): the zones the DHCP agents (resource ``network``) and L3 agents
(resource ``router``) report; a network's or router's ``availability_zone_hints`` limit
which agents the scheduler places it on, and its ``availability_zones`` are the zones
of the agents serving it."""
import re

import sqlalchemy as sa

from common import validators
from network import exceptions as nexc
from network import rpcapi
from network.db import models

RESOURCES = {'network': rpcapi.AGENT_DHCP, 'router': rpcapi.AGENT_L3}
FILTERS = ('name', 'resource', 'state')
_NAME = re.compile(r'\A[A-Za-z0-9_.:-]{1,255}\Z')


def zone_name(value, field='availability_zone'):
    """An availability zone name: letters, digits and ``_.:-``, 1-255 characters."""
    if not isinstance(value, str) or not _NAME.match(value):
        raise validators.InvalidValue(field, value, 'is not a valid availability zone name '
                                                    '(letters, digits and _.:-)')
    return value


def hints_of(row):
    return [h for h in (row.availability_zone_hints or '').split(',') if h]


class AvailabilityZones:
    def __init__(self, core_):
        self.core = core_

    def _zones(self, sess):
        """{(name, resource): available?} from the agents."""
        zones = {}
        alive = self.core.agents.alive_clause(True)
        for agent_type, zone, up in sess.execute(sa.select(
                models.Agent.agent_type, models.Agent.availability_zone,
                sa.and_(models.Agent.admin_state_up.is_(True), alive)).where(
                models.Agent.agent_type.in_(list(RESOURCES.values())))):
            resource = 'network' if agent_type == rpcapi.AGENT_DHCP else 'router'
            zones[(zone, resource)] = zones.get((zone, resource), False) or bool(up)
        return zones

    def list(self, ctx, filters):
        for key in filters:
            if key not in FILTERS:
                raise nexc.BadRequest('%s is not a valid filter of availability zones.' % key)
        found = self.core.transaction(self._zones)
        out = [{'name': name, 'resource': resource,
                'state': 'available' if up else 'unavailable'}
               for (name, resource), up in sorted(found.items())]
        return [z for z in out if all(z[k] in v for k, v in filters.items())]

    def check_hints(self, sess, resource, hints):
        """``hints`` as stored (comma-joined), each a zone some agent of the resource's
        kind reports (else 404, as Neutron answers)."""
        names = []
        for hint in hints or []:
            try:
                names.append(zone_name(hint, 'availability_zone_hints'))
            except validators.InvalidValue as exc:
                raise nexc.InvalidInput(exc.problem) from None
        known = {name for name, res in self._zones(sess) if res == resource}
        for name in names:
            if name not in known:
                raise nexc.AvailabilityZoneNotFound('AvailabilityZone %s could not be found.'
                                                    % name)
        return ','.join(sorted(set(names)))

    @staticmethod
    def serving(sess, binding, key, ids):
        """{id: sorted zones of the agents serving it} (``binding``: the agent binding
        model, ``key``: its network_id / router_id column name)."""
        out = {i: [] for i in ids}
        if ids:
            column = getattr(binding, key)
            for rid, zone in sess.execute(sa.select(column, models.Agent.availability_zone)
                                          .join(models.Agent,
                                                models.Agent.id == binding.agent_id)
                                          .where(column.in_(list(ids))).distinct()):
                out[rid].append(zone)
        return {i: sorted(set(z)) for i, z in out.items()}
