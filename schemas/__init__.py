"""Pydantic v2 records and configs shared by every babelforge package; no I/O."""
