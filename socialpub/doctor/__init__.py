"""`socialpub doctor`: whether publishing will work, before it matters. One Finding per check
(the config, each channel's secrets, token, scopes, expiry and quota as its platform reports
them through the channel's probe, the clock against the platforms' Date headers, the ledger
committed and pushed, the website's output folder), each with how to fix it."""
