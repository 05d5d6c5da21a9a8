"""Post × channel → Variant: the exact text (and thread parts) a channel would receive.

Templates (Jinja2), Markdown into each dialect, per-channel overrides, exact counting as each
platform counts (`counting/`), thread splitting and Bluesky facets.
"""
