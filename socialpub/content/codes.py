"""Every validation code, its name and default severity. Codes are stable: never reuse one.

README lists all of them (a test keeps the two in sync).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from socialpub.models import Problem, Severity

E = Severity.ERROR
W = Severity.WARNING


@dataclass(frozen=True)
class Code:
    code: str
    name: str
    severity: Severity
    summary: str


CODES: dict[str, Code] = {
    c.code: c
    for c in (
        # reading the file
        Code("SP001", "unreadable-file", E, "file cannot be read or is not valid UTF-8"),
        Code("SP002", "yaml-syntax", E, "YAML syntax error"),
        Code("SP003", "unclosed-front-matter", E, "front matter opened with --- but not closed"),
        Code("SP004", "empty-file", E, "the file is empty"),
        Code("SP005", "unsafe-yaml", E, "YAML tags, anchors/aliases bomb or nesting too deep"),
        Code("SP006", "not-a-mapping", E, "front matter / YAML file is not a key: value mapping"),
        # post keys
        Code("SP101", "missing-key", E, "a required key is missing"),
        Code("SP102", "unknown-key", E, "a key socialpub does not know (typo?)"),
        Code("SP103", "wrong-type", E, "a value has the wrong type"),
        Code("SP104", "invalid-id", E, "id is not a slug [a-z0-9][a-z0-9-]*"),
        Code("SP105", "duplicate-id", E, "two posts share one id"),
        Code("SP106", "invalid-status", E, "status is not draft, review or approved"),
        Code("SP107", "invalid-date", E, "publish_at / expires_at is not an ISO 8601 date-time"),
        Code("SP108", "expires-before-publish", E, "expires_at is not after publish_at"),
        Code("SP109", "unknown-channel", E, "a channel name that the config does not define"),
        Code("SP110", "insecure-link", E, "link is not an https URL"),
        Code("SP111", "invalid-lang", E, "lang is not a BCP 47 language tag"),
        Code("SP112", "invalid-tag", E, "a tag cannot become a hashtag"),
        Code("SP113", "empty-body", E, "the post has no text"),
        Code("SP114", "date-only", W, "a date without time: read as midnight"),
        # embargo, quiet hours, pause (workflow)
        Code("SP130", "embargo-without-time", E, "an embargoed post has no publish_at"),
        # media
        Code("SP201", "media-missing", E, "a media file does not exist"),
        Code("SP202", "media-outside-repo", E, "a media path leaves the repository"),
        Code("SP203", "media-unsupported", E, "a channel cannot take this kind of media"),
        Code("SP204", "missing-alt-text", E, "an image has no alt text"),
        Code("SP205", "alt-text-too-long", E, "alt text is longer than the platform allows"),
        Code("SP206", "too-many-media", E, "more images/videos than the platform allows"),
        Code("SP207", "unknown-media-type", E, "file type is not an image, video or audio"),
        Code("SP208", "media-required", E, "the channel publishes only posts with media"),
        Code("SP209", "aspect-ratio", E, "an image is taller or wider than the platform shows"),
        Code("SP210", "media-too-large", E, "a media file is larger than the platform takes"),
        # rendering
        Code("SP301", "text-too-long", E, "the rendered text is over the channel's limit"),
        Code("SP302", "cannot-split", E, "the text cannot be split into a thread"),
        Code("SP303", "template-error", E, "a template failed"),
        Code("SP304", "too-many-hashtags", E, "more hashtags than the platform allows"),
        Code("SP305", "caption-too-long", W, "text is too long for a media caption"),
        Code(
            "SP306",
            "hashtags-dropped",
            W,
            "hashtags that fit into no part of a thread are left out",
        ),
        Code("SP307", "too-many-mentions", E, "more @mentions than the platform allows"),
        Code("SP308", "many-hashtags", W, "more hashtags than the platform recommends"),
        Code("SP309", "too-many-links", E, "more links than the platform allows in one post"),
        # editorial and accessibility
        Code("SP401", "no-approver", W, "an approved post names no approved_by"),
        Code("SP402", "hashtag-case", W, "a multi-word hashtag is not in CamelCase"),
        Code("SP403", "many-emoji", W, "many emoji: screen readers read each one aloud"),
        Code("SP404", "already-expired", W, "expires_at has passed: the post will not go out"),
        # config
        Code("SP501", "config-invalid", E, "the config file cannot be used"),
        Code("SP502", "config-unknown-key", E, "a config key socialpub does not know"),
        Code("SP503", "config-missing-key", E, "a required config key is missing"),
        Code("SP504", "literal-secret", E, "a secret written into the config instead of ${ENV}"),
        Code("SP505", "unknown-channel-type", E, "a channel type socialpub does not have"),
        Code("SP506", "config-wrong-value", E, "a config value has the wrong type or format"),
        # corrections policy (content/corrections.py)
        Code(
            "SP560",
            "unknown-correction-kind",
            E,
            "a correction kind other than reply, repost, report",
        ),
        Code(
            "SP561",
            "correction-unknown-channel",
            E,
            "corrections.channels names neither a channel nor a channel type",
        ),
        Code("SP562", "invalid-duration", E, "corrections.edit_within is not like 30min, 48h, 7d"),
        # etiquette (config `etiquette:`; each rule's severity is configurable)
        Code("SP601", "forbidden-word", E, "a word the county's etiquette does not allow"),
        Code("SP602", "missing-signoff", W, "the text lacks its department's sign-off line"),
        Code("SP603", "etiquette-hashtags", W, "more hashtags than the etiquette allows"),
        Code("SP604", "etiquette-emoji", W, "more emoji than the etiquette allows"),
        Code("SP605", "hashtag-not-camelcase", W, "a long hashtag all in one case, not CamelCase"),
        Code("SP606", "link-shortener", E, "a shortened link hides where it leads"),
        Code("SP607", "shouting", W, "words in capitals read as shouting"),
        Code("SP608", "neutrality-period", W, "a tagged post due in a neutrality period: held"),
        # workflow: departments and approvals
        Code("SP701", "channel-not-allowed", E, "the post's department may not use this channel"),
        # WhatsApp broadcasts: the approved template's rules (channels/whatsapp_template.py)
        Code("SP801", "whatsapp-parameter-empty", E, "a WhatsApp template parameter is empty"),
        Code(
            "SP802",
            "whatsapp-parameter-whitespace",
            E,
            "a template parameter holds a line break, a tab or more than 4 spaces in a row",
        ),
        Code(
            "SP803", "whatsapp-parameter-too-long", E, "template parameters over 1,024 characters"
        ),
        Code("SP804", "whatsapp-media-not-sent", W, "media are not sent to WhatsApp subscribers"),
        Code(
            "SP805",
            "whatsapp-template-not-approved",
            W,
            "the configured template is not approved on the WhatsApp account",
        ),
    )
}


def problem(
    code: str, file: Path | str, line: int, field: str, message: str, hint: str = ""
) -> Problem:
    """A Problem with the code's default severity."""
    return Problem(
        file=str(file),
        line=line,
        field=field,
        code=code,
        severity=CODES[code].severity,
        message=message,
        hint=hint,
    )
