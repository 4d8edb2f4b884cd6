"""Network segments: flat, VLAN and local, and the allocation of VLAN IDs per physnet."""
import random

import sqlalchemy as sa

from network import exceptions as nexc
from network.db import models

TYPES = ('flat', 'vlan', 'local')
VLAN_MIN, VLAN_MAX = 1, 4094


def parse_vlan_ranges(entries):
    """``['physnet1:100:199', 'physnet2']`` -> {physnet: [(100, 199)]} (bare: no range)."""
    ranges = {}
    for entry in entries:
        parts = entry.split(':')
        if len(parts) == 1:
            ranges.setdefault(parts[0], [])
            continue
        if len(parts) != 3:
            raise ValueError('network_vlan_ranges entry %r is not physnet:min:max' % entry)
        low, high = int(parts[1]), int(parts[2])
        if not VLAN_MIN <= low <= high <= VLAN_MAX:
            raise ValueError('network_vlan_ranges entry %r is not within 1-4094' % entry)
        ranges.setdefault(parts[0], []).append((low, high))
    return ranges


class Segments:
    """Validates provider attributes and reserves segments in ``segment_allocations``."""

    def __init__(self, conf):
        self.conf = conf

    @property
    def vlan_ranges(self):
        return parse_vlan_ranges(self.conf.ml2_type_vlan.network_vlan_ranges)

    def reserve(self, sess, network_id, provider):
        """Reserve the segment asked for (``provider`` holds the provider:* values given) or
        a tenant segment; returns (network_type, physical_network, segmentation_id)."""
        net_type = provider.get('provider:network_type')
        physnet = provider.get('provider:physical_network')
        seg_id = provider.get('provider:segmentation_id')
        if net_type is None:
            if physnet is not None or seg_id is not None:
                raise nexc.InvalidInput('provider:network_type is required when '
                                        'provider:physical_network or '
                                        'provider:segmentation_id is given.')
            return self._tenant_segment(sess, network_id)
        if net_type == 'local':
            if physnet is not None or seg_id is not None:
                raise nexc.InvalidInput('A local network takes neither '
                                        'provider:physical_network nor '
                                        'provider:segmentation_id.')
            return 'local', None, None
        if net_type == 'flat':
            if seg_id is not None:
                raise nexc.InvalidInput('A flat network takes no provider:segmentation_id.')
            if not physnet:
                raise nexc.InvalidInput('provider:physical_network is required for a flat '
                                        'network.')
            allowed = self.conf.ml2.flat_networks
            if '*' not in allowed and physnet not in allowed:
                raise nexc.InvalidInput('Physical network %s is not a configured flat '
                                        'network (flat_networks).' % physnet)
            self._claim(sess, 'flat', physnet, 0, network_id,
                        'Unable to create the flat network. Physical network %s is in use.'
                        % physnet)
            return 'flat', physnet, None
        # vlan
        ranges = self.vlan_ranges
        if not physnet:
            raise nexc.InvalidInput('provider:physical_network is required for a vlan '
                                    'network.')
        if physnet not in ranges:
            raise nexc.InvalidInput('Physical network %s is unknown; configured VLAN physical '
                                    'networks: %s.' % (physnet, ', '.join(sorted(ranges))
                                                       or 'none'))
        if seg_id is None:
            seg_id = self._free_vlan(sess, physnet, ranges[physnet])
            if seg_id is None:
                raise nexc.NoFreeSegment('Unable to create the network. No free VLAN ID '
                                         'on physical network %s.' % physnet)
        self._claim(sess, 'vlan', physnet, seg_id, network_id,
                    'Unable to create the network. The VLAN %s on physical network %s is in '
                    'use.' % (seg_id, physnet))
        return 'vlan', physnet, seg_id

    def _tenant_segment(self, sess, network_id):
        for net_type in self.conf.ml2.tenant_network_types:
            if net_type == 'local':
                return 'local', None, None
            if net_type == 'vlan':
                for physnet, ranges in sorted(self.vlan_ranges.items()):
                    seg_id = self._free_vlan(sess, physnet, ranges)
                    if seg_id is not None:
                        self._claim(sess, 'vlan', physnet, seg_id, network_id, None)
                        return 'vlan', physnet, seg_id
        raise nexc.NoNetworkAvailable('Unable to create the network. No tenant network is '
                                      'available for allocation.')

    @staticmethod
    def _free_vlan(sess, physnet, ranges):
        used = set(sess.scalars(sa.select(models.SegmentAllocation.segmentation_id).where(
            models.SegmentAllocation.network_type == 'vlan',
            models.SegmentAllocation.physical_network == physnet)))
        free = [v for low, high in ranges for v in range(low, high + 1) if v not in used]
        # Random rather than lowest: concurrent creations rarely pick the same VLAN.
        return random.choice(free) if free else None

    @staticmethod
    def _claim(sess, net_type, physnet, seg_id, network_id, in_use_message):
        existing = sess.get(models.SegmentAllocation, (net_type, physnet, seg_id))
        if existing is not None:
            if in_use_message is None:
                raise nexc.RetryRequest()
            raise nexc.SegmentInUse(in_use_message)
        sess.add(models.SegmentAllocation(network_type=net_type, physical_network=physnet,
                                          segmentation_id=seg_id, network_id=network_id))
