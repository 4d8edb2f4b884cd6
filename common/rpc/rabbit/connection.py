"""Opening broker connections, and what counts as a recoverable failure."""

import random
import socket

import amqp
import kombu
import kombu.exceptions

# Errors after which closing the connection and opening a new one can
# succeed (broker restarting, socket dropped, missed heartbeats, nack).
RECOVERABLE_ERRORS = (
    amqp.Connection.connection_errors
    + amqp.Connection.recoverable_connection_errors
    + amqp.Connection.recoverable_channel_errors
    + (kombu.exceptions.OperationalError, socket.timeout)
)

# Errors that close only the channel (e.g. a declaration that conflicts
# with an existing queue); retrying them blindly would loop forever.
CHANNEL_ERRORS = amqp.Connection.channel_errors


def backoff(attempt, cap):
    """Seconds to sleep before retry number ``attempt`` (0 = at once).

    Exponential so a down broker is not hammered, jittered so that the
    many processes reconnecting after a broker restart do not do so in
    lock step, and capped so recovery after a restart stays quick.
    """
    if attempt <= 0:
        return 0.0
    delay = min(cap, 0.25 * (2 ** (attempt - 1)))
    return delay * random.uniform(0.8, 1.0)


class ConnectionFactory:
    """Open connected kombu connections with the transport's settings."""

    def __init__(self, url, heartbeat, connect_timeout, ssl=False):
        self.url = url
        self.heartbeat = heartbeat
        self.connect_timeout = connect_timeout
        self.ssl = ssl

    def connect(self, confirm_publish=False):
        """Return a connected kombu.Connection or raise a recoverable error.

        A single attempt: callers own the retry policy (publishers retry
        until a deadline, consumers forever).
        """
        conn = kombu.Connection(
            self.url, heartbeat=self.heartbeat, ssl=self.ssl,
            connect_timeout=self.connect_timeout,
            transport_options={'confirm_publish': confirm_publish})
        try:
            conn.ensure_connection(max_retries=1, interval_start=0,
                                   interval_step=0, interval_max=0)
        except BaseException:
            discard(conn)
            raise
        return conn


def discard(conn):
    """Drop a broken connection without talking to the broker.

    A graceful close would wait for the broker's close-ok, which never
    comes on a half-open socket; the broker cleans up on its side anyway.
    """
    if conn is not None:
        try:
            conn.collect()
        except Exception:  # noqa: the socket is already broken
            pass


def close(conn):
    """Close a healthy connection (exclusive queues go away at once)."""
    if conn is not None:
        try:
            conn.release()
        except Exception:  # noqa: closing is best effort
            discard(conn)
