"""Run metadata: rows to API structs, summaries, and run-list queries."""
