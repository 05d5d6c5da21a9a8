"""What leaves the machine: one HTTP client (timeouts, retries, pacing, redaction of
secrets) and images cleaned of EXIF and GPS before they are uploaded.
"""
