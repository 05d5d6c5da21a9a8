"""socialpub: the editorial publishing CLI for public-sector social media."""

__version__ = "0.1.0"
