"""The workout journal: sessions, sets and signals in a SQLAlchemy store."""
