"""Queries on instance actions and their events (os-instance-actions)."""
import sqlalchemy as sa

from common.db import types
from compute import exceptions
from compute.db import api as db_api
from compute.db import models


def start(db, ctx, uuid, action):
    """Record that ``ctx``'s request started ``action`` on a server."""
    with db.session() as sess:
        sess.add(models.InstanceAction(instance_uuid=uuid, action=action,
                                       request_id=ctx.request_id, user_id=ctx.user_id,
                                       project_id=ctx.project_id))


def _action_row(sess, uuid, request_id):
    return sess.execute(sa.select(models.InstanceAction).where(
        models.InstanceAction.instance_uuid == uuid,
        models.InstanceAction.request_id == request_id).order_by(
        models.InstanceAction.id.desc()).limit(1)).scalar()


def event(db, uuid, request_id, name, phase, result=None, traceback=None, host=None):
    """Start or finish one event of the action of ``request_id`` (no action: ignored)."""
    now = types.utcnow()
    with db.session() as sess:
        action = _action_row(sess, uuid, request_id)
        if action is None:
            return
        if phase == 'start':
            sess.add(models.InstanceActionEvent(action_id=action.id, event=name,
                                                start_time=now, host=host))
            return
        row = sess.execute(sa.select(models.InstanceActionEvent).where(
            models.InstanceActionEvent.action_id == action.id,
            models.InstanceActionEvent.event == name).order_by(
            models.InstanceActionEvent.id.desc()).limit(1)).scalar()
        if row is None:
            row = models.InstanceActionEvent(action_id=action.id, event=name,
                                             start_time=now, host=host)
            sess.add(row)
        row.finish_time, row.result, row.traceback = now, result or 'Success', traceback
        if result == 'Error':
            action.message = 'Error'
        action.finish_time = now
        action.updated_at = now


def list_actions(db, uuid):
    with db.session() as sess:
        rows = sess.execute(sa.select(models.InstanceAction).where(
            models.InstanceAction.instance_uuid == uuid).order_by(
            models.InstanceAction.start_time.desc(), models.InstanceAction.id.desc())).scalars()
        return [db_api.row_to_dict(r) for r in rows]


def get_action(db, uuid, request_id):
    with db.session() as sess:
        action = _action_row(sess, uuid, request_id)
        if action is None:
            raise exceptions.InstanceActionNotFound(request_id, uuid)
        data = db_api.row_to_dict(action)
        data['events'] = [db_api.row_to_dict(e) for e in sess.execute(
            sa.select(models.InstanceActionEvent).where(
                models.InstanceActionEvent.action_id == action.id).order_by(
                models.InstanceActionEvent.id)).scalars()]
        return data
