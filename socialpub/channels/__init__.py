"""Channel types: one module each, declaring limits and settings as data (see base.py)."""
