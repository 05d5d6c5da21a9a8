"""Validation: every problem of the post files and of their variants, and the preview that
shows both to a press officer.
"""
