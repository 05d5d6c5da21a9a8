"""Files in, data out: post files become `Post`s, `socialpub.yaml` becomes a `Config`.

Safe YAML with line numbers, the post schema, the config with its channel, publishing and
source settings, validation codes, the validation cache and scaffolding of new posts.
"""
