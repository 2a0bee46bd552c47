"""The series store: scalar history as compressed per-(run, key) chunks with statistics."""
