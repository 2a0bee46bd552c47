"""The web UI benchmark: first charts painted, zoom redraw and a 5,000-run table sort, in Chromium."""
