"""Variant → Delivery → Receipt → ledger: plan (pure, takes `now`), the engine (retries,
rate limits, idempotency), the write-ahead ledger, the lock, reconcile, git commits and the
website build that publishing triggers.
"""
