"""Database access shared by every service: engines, sessions, migrations, model helpers."""
