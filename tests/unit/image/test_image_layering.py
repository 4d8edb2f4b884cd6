"""The image API's controllers hold no SQL: they parse, authorize, call image.db.api (or
the upload/import workers) and render, as doc/developing.md describes."""
import ast
import pathlib

import pytest

API = pathlib.Path(__file__).resolve().parents[3] / 'image' / 'api'


@pytest.mark.parametrize('path', sorted(API.glob('*.py')), ids=lambda p: p.name)
def test_controllers_hold_no_sql(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + [getattr(node, 'module', '') or '']
            assert not any(n.startswith('sqlalchemy') or n == 'models' or
                           n.endswith('db.models') for n in names), (path.name, names)
        if isinstance(node, ast.Attribute):
            assert node.attr not in ('session', 'execute'), (path.name, node.lineno)
