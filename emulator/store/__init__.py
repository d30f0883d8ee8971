"""Persistence: one SQLAlchemy schema for SQLite (the default) and PostgreSQL."""
