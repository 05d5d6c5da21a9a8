"""Partner sources: other accounts' public posts, fetched into the repo as an archive.

`config` reads the `sources:` block (cheap: no network libraries), `fetch` gets new items,
`store` keeps one file per item and turns them into site entries, `sanitize` cleans their HTML.
"""
