"""Partner sources: other accounts' public posts, fetched into the repo as an archive.

`fetch` gets new items (one module per kind: `rss`, `mastodon`, `bluesky`), `store` keeps one
file per item and turns them into site entries, `sanitize` cleans their HTML, `media`
downloads their images, but never from internal addresses (`addresses`). The settings,
the `sources:` block of the config, are read by `socialpub.content.sourceconfig`.
"""
