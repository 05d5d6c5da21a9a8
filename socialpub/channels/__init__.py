"""Channel adapters: one module per platform (`<type>.py`, with helper modules per platform
family), each an `ADAPTER` on the contract of `adapter.py`. Their limits are data in
`socialpub.specs`; `adapter.ADAPTERS` imports a module only when its type is published to."""
