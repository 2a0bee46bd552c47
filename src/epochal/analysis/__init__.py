"""Pure functions over arrays (envelopes for charts); imports nothing else of ours."""
