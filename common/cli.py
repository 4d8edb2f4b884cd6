"""The framework of the per-service CLIs: global auth options, sub-commands, output as
tables or JSON, and progress bars for long transfers and waits."""
import argparse
import json
import os
import sys
import time

import prettytable

from common import client as client_mod


class CLI:
    """``prog <resource> <action> [args]``: register commands, parse, authenticate, run."""

    def __init__(self, prog, description, service_type):
        self.prog = prog
        self.service_type = service_type
        self.parser = argparse.ArgumentParser(prog=prog, description=description)
        self._add_global_options(self.parser)
        self.sub = self.parser.add_subparsers(dest='command', metavar='<resource>')
        self.sub.required = True
        self._groups = {}

    def _add_global_options(self, parser):
        env = os.environ.get
        group = parser.add_argument_group('authentication (defaults from OS_* variables)')
        for opt in client_mod.AUTH_OPTIONS:
            flag = '--os-' + opt.replace('_', '-')
            group.add_argument(flag, dest='os_' + opt, default=None,
                               help=argparse.SUPPRESS if opt != 'auth_url' else
                               'identity URL (OS_AUTH_URL)')
        group.add_argument('--os-auth-type', default=None, help=argparse.SUPPRESS)
        group.add_argument('--os-region-name', default=env('OS_REGION_NAME'),
                           help='region of the endpoints to use (OS_REGION_NAME)')
        group.add_argument('--os-interface', default=env('OS_INTERFACE', 'public'),
                           choices=['public', 'internal', 'admin'],
                           help='endpoint interface (OS_INTERFACE)')
        group.add_argument('--os-endpoint-override', default=None,
                           help='use this URL instead of the catalog\'s endpoint')
        parser.add_argument('-f', '--format', choices=['table', 'json', 'value'],
                            default='table', help='output format (default: table)')
        parser.add_argument('--debug', action='store_true', help='show tracebacks')

    def command(self, name, help_text, arguments=()):
        """Decorator registering ``func(cli_args, client)`` as sub-command ``name``
        (``'user list'`` makes ``prog user list``)."""
        def decorator(func):
            parent = self.sub
            words = name.split()
            for depth, word in enumerate(words[:-1]):
                key = tuple(words[:depth + 1])
                if key not in self._groups:
                    group = parent.add_parser(word, help='%s commands' % word)
                    self._groups[key] = group.add_subparsers(dest='action_%d' % depth,
                                                             metavar='<action>')
                    self._groups[key].required = True
                parent = self._groups[key]
            sub = parent.add_parser(words[-1], help=help_text, description=help_text)
            for args, kwargs in arguments:
                sub.add_argument(*args, **kwargs)
            sub.set_defaults(func=func)
            return func
        return decorator

    def client(self, args):
        if (args.os_auth_type or os.environ.get('OS_AUTH_TYPE')) == 'admin_token':
            return self._token_client(args)
        overrides = {opt: getattr(args, 'os_' + opt) for opt in client_mod.AUTH_OPTIONS}
        overrides['auth_type'] = args.os_auth_type
        session = client_mod.session_from_env(overrides=overrides)
        return client_mod.ServiceClient(session, self.service_type, args.os_interface,
                                        args.os_region_name, args.os_endpoint_override)

    def _token_client(self, args):
        """Token + endpoint auth (OS_AUTH_TYPE=admin_token, OS_TOKEN and
        --os-endpoint-override or OS_ENDPOINT): no identity round trip."""
        endpoint = args.os_endpoint_override or os.environ.get('OS_ENDPOINT')
        token = args.os_token or os.environ.get('OS_TOKEN')
        if not endpoint or not token:
            raise client_mod.ClientError(400, 'admin_token auth needs OS_TOKEN and '
                                              '--os-endpoint-override (or OS_ENDPOINT)')
        return client_mod.ServiceClient(client_mod.token_session(endpoint, token),
                                        self.service_type, endpoint_override=endpoint)

    def run(self, argv=None):
        args = self.parser.parse_args(argv)
        try:
            result = args.func(args, self.client(args))
            if result is not None:
                emit(result, args.format)
            return 0
        except client_mod.ClientError as exc:
            if args.debug:
                raise
            sys.stderr.write('%s: error: %s\n' % (self.prog, exc))
            return 1
        except KeyboardInterrupt:
            sys.stderr.write('interrupted\n')
            return 130


class Table:
    """Rows to print: ``Table(columns, rows)``; a dict prints as Field/Value."""

    def __init__(self, columns, rows):
        self.columns = columns
        self.rows = rows


def _cell(value):
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return '' if value is None else str(value)


def emit(result, fmt, out=None):
    """Print a Table or a dict in the chosen format."""
    out = out or sys.stdout
    if isinstance(result, Table):
        if fmt == 'json':
            data = [dict(zip(result.columns, row)) for row in result.rows]
            out.write(json.dumps(data, indent=2, default=str) + '\n')
        elif fmt == 'value':
            for row in result.rows:
                out.write(' '.join(_cell(v) for v in row) + '\n')
        else:
            table = prettytable.PrettyTable(result.columns)
            table.align = 'l'
            for row in result.rows:
                table.add_row([_cell(v) for v in row])
            out.write(table.get_string() + '\n')
    elif isinstance(result, dict):
        if fmt == 'json':
            out.write(json.dumps(result, indent=2, default=str, sort_keys=True) + '\n')
        elif fmt == 'value':
            for key in sorted(result):
                out.write(_cell(result[key]) + '\n')
        else:
            table = prettytable.PrettyTable(['Field', 'Value'])
            table.align = 'l'
            for key in sorted(result):
                table.add_row([key, _cell(result[key])])
            out.write(table.get_string() + '\n')
    else:
        out.write(str(result) + '\n')


def table_of(items, columns):
    """A Table of ``items`` (dicts) with ``columns`` = [(header, key), ...]."""
    return Table([h for h, _ in columns], [[item.get(k) for _, k in columns] for item in items])


class ProgressBar:
    """A progress line on stderr for transfers (bytes) or waits; silent when not a tty
    unless ``force``."""

    def __init__(self, total, label, force=False, stream=None):
        self.total = total
        self.label = label
        self.done = 0
        self.stream = stream or sys.stderr
        self.enabled = force or self.stream.isatty()
        self.started = time.monotonic()
        self._last = 0.0

    def update(self, amount):
        self.done += amount
        now = time.monotonic()
        if self.enabled and (now - self._last > 0.2 or (self.total and self.done >= self.total)):
            self._last = now
            self._draw(now)

    def _draw(self, now):
        rate = self.done / max(now - self.started, 1e-6) / 1048576
        if self.total:
            pct = min(100.0, 100.0 * self.done / self.total)
            filled = int(pct / 4)
            bar = '#' * filled + '-' * (25 - filled)
            line = '\r%s [%s] %5.1f%% %.1f MiB/s' % (self.label, bar, pct, rate)
        else:
            line = '\r%s %.1f MiB %.1f MiB/s' % (self.label, self.done / 1048576, rate)
        self.stream.write(line)
        self.stream.flush()

    def finish(self):
        if self.enabled:
            self._draw(time.monotonic())
            self.stream.write('\n')
            self.stream.flush()


def wait_for(check, label, timeout, interval=1.0, force_progress=False):
    """Poll ``check()`` (returns (done, status_text)) until done or ``timeout``; show the
    status while waiting. Returns the final status text; raises TimeoutError."""
    deadline = time.monotonic() + timeout
    stream = sys.stderr
    show = force_progress or stream.isatty()
    while True:
        done, status = check()
        if show:
            stream.write('\r%s: %s (%ds)   ' % (label, status,
                                                 int(timeout - (deadline - time.monotonic()))))
            stream.flush()
        if done:
            if show:
                stream.write('\n')
            return status
        if time.monotonic() >= deadline:
            if show:
                stream.write('\n')
            raise TimeoutError('%s: still %s after %ss' % (label, status, timeout))
        time.sleep(interval)
