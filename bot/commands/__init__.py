"""CLI sub-commands, one module each (see bot/cli.py)."""
