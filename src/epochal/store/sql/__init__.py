"""SQL plumbing shared by the metadata and series stores: tables, engine, migrations."""
