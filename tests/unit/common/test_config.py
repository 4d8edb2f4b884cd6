"""Options are declared once; bad files are refused with file, section and option named."""
import pytest

from common import config


@pytest.fixture
def conf():
    c = config.ConfigOpts()
    c.register_opts([config.IntOpt('workers', default=2, min=1, max=64, help='Workers.'),
                     config.BoolOpt('debug', default=False, help='Debug.'),
                     config.ListOpt('hosts', default=['a'], help='Hosts.')])
    c.register_opts([config.StrOpt('connection', default=None, help='DB URL.'),
                     config.StrOpt('mode', default='x', choices=['x', 'y'], help='Mode.')],
                    group='database')
    return c


def write(tmp_path, text, name='svc.conf'):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_defaults_and_values(conf, tmp_path):
    assert conf.workers == 2 and conf.database.connection is None
    conf.load([write(tmp_path, '[DEFAULT]\nworkers = 8\ndebug = yes\nhosts = h1, h2\n'
                               '[database]\nconnection = sqlite://\n')])
    assert conf.workers == 8 and conf.debug is True and conf.hosts == ['h1', 'h2']
    assert conf.database.connection == 'sqlite://'


@pytest.mark.parametrize('text, expected', [
    ('[DEFAULT]\nworkers = many\n', "[DEFAULT] workers: invalid value: 'many' is not an integer"),
    ('[DEFAULT]\nworkers = 0\n', '[DEFAULT] workers: invalid value: 0 is below the minimum 1'),
    ('[DEFAULT]\nwrokers = 3\n', '[DEFAULT] wrokers: unknown option'),
    ('[databse]\nconnection = x\n', '[databse]: unknown section'),
    ('[database]\nmode = z\n', '[database] mode: invalid value: must be one of x, y'),
    ('[DEFAULT]\ndebug = maybe\n', "[DEFAULT] debug: invalid value: 'maybe' is not a boolean"),
    ('workers = 3\n', 'malformed'),
])
def test_bad_files_name_file_section_option(conf, tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(config.ConfigError) as err:
        conf.load([path])
    assert path in str(err.value) and expected in str(err.value)


def test_failed_reload_keeps_old_values(conf, tmp_path):
    path = write(tmp_path, '[DEFAULT]\nworkers = 4\n')
    conf.load([path])
    write(tmp_path, '[DEFAULT]\nworkers = -1\n')
    with pytest.raises(config.ConfigError):
        conf.reload()
    assert conf.workers == 4
    write(tmp_path, '[DEFAULT]\nworkers = 6\n')
    conf.reload()
    assert conf.workers == 6


def test_later_files_override_and_overrides_win(conf, tmp_path):
    conf.load([write(tmp_path, '[DEFAULT]\nworkers = 3\n', 'a.conf'),
               write(tmp_path, '[DEFAULT]\nworkers = 5\n', 'b.conf')])
    assert conf.workers == 5
    conf.set_override('workers', 9)
    assert conf.workers == 9


def test_required_option_and_missing_file(tmp_path):
    c = config.ConfigOpts()
    c.register_opt(config.StrOpt('secret', required=True, help='Secret.'), group='auth')
    with pytest.raises(config.ConfigError, match=r'\[auth\] secret: required option'):
        c.load([write(tmp_path, '[auth]\n')])
    with pytest.raises(config.ConfigError, match='cannot read'):
        c.load([str(tmp_path / 'absent.conf')])


def test_every_option_needs_help_and_sample_lists_them(conf):
    with pytest.raises(ValueError):
        config.StrOpt('x')
    sample = conf.sample()
    assert '#workers = 2' in sample and '[database]' in sample
