"""Deployment recipe and tools (not installed with the package): nginx templates, systemd
units, a local PostgreSQL helper and a loopback cluster launcher. See docs/operations.md."""
