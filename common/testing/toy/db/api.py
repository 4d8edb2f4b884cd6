"""Step 6: the queries; API controllers and managers call these, never SQL themselves."""
from common import exceptions
from common.db import query
from common.testing.toy.db import models

FIELDS = {'name': query.Field(models.Widget.name),
          'size': query.Field(models.Widget.size, 'int')}


def _dict(row):
    return {'id': row.id, 'project_id': row.project_id, 'name': row.name, 'size': row.size}


def list_widgets(db, project_id, filters, sorts, limit, marker_id=None, page_reverse=False):
    """One page (``limit + 1`` rows at most) of a project's widgets, as dicts."""
    def run(sess):
        marker = None
        if marker_id is not None:
            marker = sess.get(models.Widget, marker_id)
            if marker is None or marker.project_id != project_id:
                raise exceptions.NotFound('Marker %s not found.' % marker_id)
        stmt = query.build(models.Widget, FIELDS, models.Widget.project_id == project_id,
                           filters, sorts, limit, marker, page_reverse)
        return [_dict(row) for row in sess.execute(stmt).scalars()]
    return query.transaction(db, run)


def create_widget(db, project_id, name, size):
    def run(sess):
        row = models.Widget(project_id=project_id, name=name, size=size)
        sess.add(row)
        sess.flush()
        return _dict(row)
    return query.transaction(db, run)


def count_widgets(db, project_id):
    return len(list_widgets(db, project_id, {}, [], None))
