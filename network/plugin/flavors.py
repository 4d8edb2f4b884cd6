"""Network flavors and service profiles (flavors): admins define flavors of a service type
and associate service profiles with them; everyone may list and show flavors."""
import sqlalchemy as sa

from common.db import query
from network import exceptions as nexc
from network.db import models

F = models.Flavor
P = models.ServiceProfile
B = models.FlavorServiceProfile

# The one provider of each service this cloud runs (what `network service provider list`
# shows; a flavor's service_type is one of theirs): routers are served by the L3 agent.
SERVICE_PROVIDERS = [{'service_type': 'L3_ROUTER_NAT', 'name': 'l3_agent', 'default': True}]

FLAVOR_FIELDS = {
    'id': query.Field(F.id),
    'name': query.Field(F.name),
    'description': query.Field(F.description),
    'service_type': query.Field(F.service_type),
    'enabled': query.Field(F.enabled, 'bool'),
}
PROFILE_FIELDS = {
    'id': query.Field(P.id),
    'description': query.Field(P.description),
    'driver': query.Field(P.driver),
    'metainfo': query.Field(P.metainfo),
    'enabled': query.Field(P.enabled, 'bool'),
}


def _page(sess, model, fields, filters, sorts, limit, marker_row, page_reverse):
    return list(sess.scalars(query.build(model, fields, None, filters, sorts, limit,
                                         marker_row, page_reverse, errors=nexc.QUERY_ERRORS)))


class FlavorManager:
    """Flavors, service profiles and the associations between them. Who may see or change
    them is policy's (admin-only rules, network/policies.py); every row is global."""

    def __init__(self, core_):
        self.core = core_
        # The service types a flavor may be of: those this cloud has a provider for.
        self.service_types = tuple(sorted({p['service_type'] for p in SERVICE_PROVIDERS}))

    # flavors ----------------------------------------------------------------------
    @staticmethod
    def get_row(sess, ctx, flavor_id):
        row = sess.get(F, flavor_id) if isinstance(flavor_id, str) else None
        if row is None:
            raise nexc.FlavorNotFound('Flavor %s could not be found.' % flavor_id)
        return row

    @staticmethod
    def _flavor(sess, row):
        profiles = sorted(sess.scalars(sa.select(B.service_profile_id).where(
            B.flavor_id == row.id)))
        return {'id': row.id, 'name': row.name, 'description': row.description,
                'service_type': row.service_type, 'enabled': row.enabled,
                'service_profiles': profiles}

    def show(self, ctx, flavor_id):
        return self.core.transaction(
            lambda sess: self._flavor(sess, self.get_row(sess, ctx, flavor_id)))

    def list(self, ctx, filters, sorts, limit=None, marker=None, page_reverse=False):
        def run(sess):
            marker_row = self.get_row(sess, ctx, marker) if marker else None
            return [self._flavor(sess, r) for r in _page(
                sess, F, FLAVOR_FIELDS, filters, sorts, limit, marker_row, page_reverse)]
        return self.core.transaction(run)

    def create(self, ctx, items):
        for data in items:
            if data['service_type'] not in self.service_types:
                raise nexc.InvalidFlavorServiceType(
                    'Service type %s is not one this cloud provides (%s).'
                    % (data['service_type'], ', '.join(self.service_types)))

        def run(sess):
            out = []
            for data in items:
                row = F(name=data.get('name') or '', description=data.get('description') or '',
                        service_type=data['service_type'], enabled=data.get('enabled', True))
                sess.add(row)
                sess.flush()
                out.append(self._flavor(sess, row))
            return out
        return self.core.transaction(run)

    def update(self, ctx, flavor_id, data):
        def run(sess):
            row = self.get_row(sess, ctx, flavor_id)
            for key in ('name', 'description', 'enabled'):
                if key in data and data[key] is not None:
                    setattr(row, key, data[key])
            sess.flush()
            return self._flavor(sess, row)
        return self.core.transaction(run)

    def delete(self, ctx, flavor_id):
        def run(sess):
            row = self.get_row(sess, ctx, flavor_id)
            sess.execute(sa.delete(B).where(B.flavor_id == row.id))
            sess.delete(row)
        self.core.transaction(run)

    # service profiles ---------------------------------------------------------------
    @staticmethod
    def get_profile_row(sess, ctx, profile_id):
        row = sess.get(P, profile_id) if isinstance(profile_id, str) else None
        if row is None:
            raise nexc.ServiceProfileNotFound('Service Profile %s could not be found.'
                                              % profile_id)
        return row

    @staticmethod
    def _profile(row):
        return {'id': row.id, 'description': row.description, 'driver': row.driver,
                'metainfo': row.metainfo, 'enabled': row.enabled}

    def show_profile(self, ctx, profile_id):
        return self.core.transaction(
            lambda sess: self._profile(self.get_profile_row(sess, ctx, profile_id)))

    def list_profiles(self, ctx, filters, sorts, limit=None, marker=None, page_reverse=False):
        def run(sess):
            marker_row = self.get_profile_row(sess, ctx, marker) if marker else None
            return [self._profile(r) for r in _page(
                sess, P, PROFILE_FIELDS, filters, sorts, limit, marker_row, page_reverse)]
        return self.core.transaction(run)

    def create_profiles(self, ctx, items):
        for data in items:
            if not data.get('driver') and not data.get('metainfo'):
                raise nexc.ServiceProfileEmpty('Service Profile needs either a driver or '
                                               'metainfo.')

        def run(sess):
            out = []
            for data in items:
                row = P(description=data.get('description') or '',
                        driver=data.get('driver') or '', metainfo=data.get('metainfo') or '',
                        enabled=data.get('enabled', True))
                sess.add(row)
                sess.flush()
                out.append(self._profile(row))
            return out
        return self.core.transaction(run)

    def update_profile(self, ctx, profile_id, data):
        def run(sess):
            row = self.get_profile_row(sess, ctx, profile_id)
            for key in ('description', 'driver', 'metainfo', 'enabled'):
                if key in data and data[key] is not None:
                    setattr(row, key, data[key])
            if not row.driver and not row.metainfo:
                raise nexc.ServiceProfileEmpty('Service Profile needs either a driver or '
                                               'metainfo.')
            sess.flush()
            return self._profile(row)
        return self.core.transaction(run)

    def delete_profile(self, ctx, profile_id):
        def run(sess):
            row = self.get_profile_row(sess, ctx, profile_id)
            if sess.scalar(sa.select(B.flavor_id).where(
                    B.service_profile_id == row.id).limit(1)) is not None:
                raise nexc.ServiceProfileInUse('Service Profile %s is used by some service '
                                               'instance.' % row.id)
            sess.delete(row)
        self.core.transaction(run)

    # associations ---------------------------------------------------------------------
    def associate(self, ctx, flavor_id, profile_id):
        def run(sess):
            flavor = self.get_row(sess, ctx, flavor_id)
            profile = self.get_profile_row(sess, ctx, profile_id)
            if sess.get(B, (flavor.id, profile.id)) is not None:
                raise nexc.FlavorServiceProfileBindingExists(
                    'Service Profile %s is already associated with flavor %s.'
                    % (profile.id, flavor.id))
            sess.add(B(flavor_id=flavor.id, service_profile_id=profile.id))
            sess.flush()
            return {'id': profile.id}
        return self.core.transaction(run)

    def disassociate(self, ctx, flavor_id, profile_id):
        def run(sess):
            flavor = self.get_row(sess, ctx, flavor_id)
            binding = sess.get(B, (flavor.id, profile_id)) \
                if isinstance(profile_id, str) else None
            if binding is None:
                raise nexc.FlavorServiceProfileBindingNotFound(
                    'Service Profile %s is not associated with flavor %s.'
                    % (profile_id, flavor.id))
            sess.delete(binding)
        self.core.transaction(run)
