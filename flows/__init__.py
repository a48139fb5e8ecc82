"""Prefect flows and tasks (wiring only), the run store and the CLI."""
