"""Where a message goes: exchange, topic, optional server, fanout or not."""

import dataclasses
from typing import Optional


@dataclasses.dataclass(frozen=True)
class Target:
    """Address of an RPC message.

    ``server`` selects one server's own queue (``topic.server``);
    ``fanout`` sends to every server currently listening on the topic.
    """

    exchange: str
    topic: str
    server: Optional[str] = None
    fanout: bool = False

    def __post_init__(self):
        for part in (self.exchange, self.topic):
            if not part or not isinstance(part, str):
                raise ValueError('exchange and topic must be non-empty '
                                 'strings: %r' % (part,))
        if self.server is not None and (
                not self.server or not isinstance(self.server, str)):
            raise ValueError('server must be a non-empty string: %r'
                             % (self.server,))
