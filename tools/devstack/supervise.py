"""devstack's supervisor (Debian's supervisord) configuration and status.

One supervisord per cloud, its socket, pid file and configs under the cloud's state
directory, so several clouds on one machine never share one. Every daemon devstack starts is
a supervisor program: restarted at once when it dies, rate-limited (a daemon that cannot stay
up ``START_SECS`` is retried with growing delays, then left FATAL after ``START_RETRIES``).

  supervise.py main-conf STATE_DIR              write STATE_DIR/etc/supervisord.conf
  supervise.py program STATE_DIR NAME DIR -- CMD...   write the program NAME (cwd DIR)
  supervise.py status STATE_DIR                 each daemon: pid, state, restarts, last
                                                exit reason, health
  supervise.py orphans STATE_DIR                pids of daemons a supervisord that died
                                                (kill -9) left running
"""
import os
import re
import shlex
import signal
import subprocess
import sys
import urllib.request

# A daemon counts as started once it has stayed up this long; a daemon dying sooner is
# retried after 1, 2, 3... s and given up (FATAL) after START_RETRIES tries.
START_SECS = 2
START_RETRIES = 5
# SIGTERM first (every daemon stops cleanly on it), SIGKILL after this many seconds.
STOP_WAIT_SECS = 10
LOG_MAX_BYTES = '100MB'
LOG_BACKUPS = 3


def paths(state_dir):
    run = os.path.join(state_dir, 'run', 'supervisor')
    return {
        'conf': os.path.join(state_dir, 'etc', 'supervisord.conf'),
        'programs': os.path.join(state_dir, 'etc', 'supervisor'),
        'run': run,
        'socket': os.path.join(run, 'supervisor.sock'),
        'pidfile': os.path.join(run, 'supervisord.pid'),
        'log': os.path.join(state_dir, 'logs', 'supervisord.log'),
        'logs': os.path.join(state_dir, 'logs'),
        'health': os.path.join(state_dir, 'run'),
    }


def _escape(value):
    """supervisord expands %(name)s in values: a literal % is written %%."""
    return str(value).replace('%', '%%')


def render_main(state_dir):
    p = paths(state_dir)
    return """; Written by devstack.sh (tools/devstack/supervise.py); rewritten on every start.
[unix_http_server]
file = {socket}
chmod = 0700

[supervisord]
logfile = {log}
logfile_maxbytes = {maxbytes}
logfile_backups = {backups}
pidfile = {pidfile}
umask = 077
nodaemon = false

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl = unix://{socket}

[include]
files = {programs}/*.conf
""".format(socket=_escape(p['socket']), log=_escape(p['log']), pidfile=_escape(p['pidfile']),
           programs=_escape(p['programs']), maxbytes=LOG_MAX_BYTES, backups=LOG_BACKUPS)


def render_program(state_dir, name, directory, command):
    if not re.fullmatch(r'[A-Za-z0-9_.-]+', name):
        raise ValueError('bad program name %r' % name)
    # supervisord cuts a value at an inline comment (whitespace then ; or #): no quoting helps.
    if any(re.search(r'[;#]', arg) or '\n' in arg for arg in command):
        raise ValueError('a supervised command cannot hold ; # or a newline: %r' % command)
    log = os.path.join(paths(state_dir)['logs'], name + '.log')
    return """[program:{name}]
command = {command}
directory = {directory}
autostart = true
autorestart = true
startsecs = {startsecs}
startretries = {retries}
stopsignal = TERM
stopwaitsecs = {stopwait}
redirect_stderr = true
stdout_logfile = {log}
stdout_logfile_maxbytes = {maxbytes}
stdout_logfile_backups = {backups}
""".format(name=name, command=_escape(shlex.join(command)), directory=_escape(directory),
           startsecs=START_SECS, retries=START_RETRIES, stopwait=STOP_WAIT_SECS,
           log=_escape(log), maxbytes=LOG_MAX_BYTES, backups=LOG_BACKUPS)


def _write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + '.tmp', 'w') as handle:
        handle.write(text)
    os.replace(path + '.tmp', path)


_LOG_LINE = re.compile(r'^(\S+ \S+?)(?:,\d+)? \w+ (.*)$')


def exits_since_start(log_lines):
    """{program: (restarts, last exit reason)} since supervisord last started, from its log:
    every "exited:" line is an exit supervisor did not ask for (it restarts those)."""
    found = {}
    for line in log_lines:
        match = _LOG_LINE.match(line.rstrip('\n'))
        if not match:
            continue
        when, message = match.groups()
        if message.startswith('supervisord started with pid'):
            found = {}
            continue
        exited = re.match(r'exited: (\S+) \((.*)\)$', message)
        if exited:
            name, reason = exited.groups()
            count = found.get(name, (0, None))[0]
            found[name] = (count + 1, '%s at %s' % (reason, when.split(' ')[-1]))
            continue
        gave_up = re.match(r'gave up: (\S+) (.*)$', message)
        if gave_up:
            name = gave_up.group(1)
            count = found.get(name, (0, None))[0]
            found[name] = (count, 'gave up (%s) at %s' % (gave_up.group(2),
                                                         when.split(' ')[-1]))
    return found


def spawned_pids(log_lines):
    """{program: pid} of the last spawn of each program since supervisord last started."""
    found = {}
    for line in log_lines:
        match = _LOG_LINE.match(line.rstrip('\n'))
        if not match:
            continue
        message = match.group(2)
        if message.startswith('supervisord started with pid'):
            found = {}
        spawned = re.match(r"spawned: '(\S+)' with pid (\d+)$", message)
        if spawned:
            found[spawned.group(1)] = int(spawned.group(2))
    return found


def orphans(state_dir):
    """Daemons still running from a supervisord that is gone: the pids it last spawned
    whose command line still names this cloud's state directory (a reused pid does not)."""
    try:
        with open(paths(state_dir)['log'], errors='replace') as handle:
            pids = spawned_pids(handle)
    except OSError:
        return []
    alive = []
    for pid in pids.values():
        try:
            with open('/proc/%d/cmdline' % pid, 'rb') as handle:
                cmdline = handle.read().decode(errors='replace')
        except OSError:
            continue
        if os.path.abspath(state_dir) in cmdline:
            alive.append(pid)
    return sorted(alive)


def parse_status(text):
    """supervisorctl status lines -> [(name, STATE, pid or '-')]."""
    rows = []
    for line in text.splitlines():
        parts = line.split(None, 2)
        if len(parts) < 2 or not parts[1].isupper():
            continue
        pid = re.search(r'pid (\d+)', line)
        rows.append((parts[0], parts[1], pid.group(1) if pid else '-'))
    return rows


def _health(state_dir, name):
    try:
        with open(os.path.join(paths(state_dir)['health'], name + '.health')) as handle:
            url = handle.read().strip()
    except OSError:
        return '-'
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        code = opener.open(url, timeout=3).status
    except urllib.error.HTTPError as exc:
        code = exc.code
    except OSError:
        code = '000'
    return 'HTTP %s from %s' % (code, url)


def status(state_dir):
    p = paths(state_dir)
    header = '%-28s %-8s %-9s %-8s %-44s %s' % ('DAEMON', 'PID', 'STATE', 'RESTARTS',
                                               'LAST EXIT', 'HEALTH')
    print(header)
    if not os.path.exists(p['socket']):
        return 0
    proc = subprocess.run(['supervisorctl', '-c', p['conf'], 'status'], capture_output=True,
                          text=True)
    try:
        with open(p['log'], errors='replace') as handle:
            exits = exits_since_start(handle)
    except OSError:
        exits = {}
    for name, state, pid in parse_status(proc.stdout):
        restarts, reason = exits.get(name, (0, None))
        print('%-28s %-8s %-9s %-8s %-44s %s' % (name, pid, state.lower(), restarts,
                                                 reason or '-', _health(state_dir, name)))
    return 0


def main(argv):
    if len(argv) >= 2 and argv[0] == 'main-conf':
        _write(paths(argv[1])['conf'], render_main(argv[1]))
        os.makedirs(paths(argv[1])['programs'], exist_ok=True)
        os.makedirs(paths(argv[1])['run'], exist_ok=True)
        return 0
    if len(argv) >= 6 and argv[0] == 'program' and argv[4] == '--':
        state_dir, name, directory = argv[1:4]
        _write(os.path.join(paths(state_dir)['programs'], name + '.conf'),
               render_program(state_dir, name, directory, argv[5:]))
        return 0
    if len(argv) == 2 and argv[0] == 'status':
        return status(argv[1])
    if len(argv) == 2 and argv[0] == 'orphans':
        print(' '.join(str(pid) for pid in orphans(argv[1])))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # status | head
    sys.exit(main(sys.argv[1:]))
