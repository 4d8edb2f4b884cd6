"""Logging set-up for daemons and CLIs."""
import logging
import logging.handlers
import sys

FORMAT = '%(asctime)s %(process)d %(levelname)s %(name)s %(message)s'


def setup(conf=None, name=None, debug=None, log_file=None):
    """Configure the root logger from ``[DEFAULT] debug`` and ``log_file``."""
    if conf is not None:
        debug = conf.debug if debug is None else debug
        log_file = conf.log_file if log_file is None else log_file
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    if log_file:
        # WatchedFileHandler reopens the file after logrotate moves it.
        handler = logging.handlers.WatchedFileHandler(log_file)
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    for noisy in ('amqp', 'kombu', 'urllib3', 'keystoneauth', 'stevedore', 'routes'):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return logging.getLogger(name) if name else root
