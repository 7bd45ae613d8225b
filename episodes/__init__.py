"""The episode library: upload, analysis, renditions and editorial metadata."""
