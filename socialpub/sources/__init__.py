"""Partner sources: other accounts' public posts, fetched into the repo as an archive.

`fetch` gets new items (one module per kind: `rss`, `mastodon`, `bluesky`), `store` keeps one
file per item and turns them into site entries, `sanitize` cleans their HTML. Their settings,
the `sources:` block of the config, are read by `socialpub.content.sourceconfig`.
"""
