"""The scripts the pipelines run to post the preview as one comment that later runs update.

Plain Python with the standard library only (every CI image has python3, no other tool is
needed), run as `python3 - preview.md <<'PY' … PY`. `preview --format
markdown` starts the comment with `PREVIEW_MARKER` (and keeps it within GitHub's size limit);
a run edits the comment of the same author that starts with it, or creates one.
"""

from __future__ import annotations

from socialpub.content.ci import PREVIEW_MARKER

_COMMON = """\
import json, os, sys, urllib.error, urllib.parse, urllib.request

MARKER = "@MARKER@"
with open(sys.argv[1], encoding="utf-8") as handle:
    text = handle.read()
body = text if text.startswith(MARKER) else MARKER + "\\n" + text


def call(method, url, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=HEADERS)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response), response.headers
    except urllib.error.HTTPError as exc:  # the answer, never the token
        said = exc.read().decode("utf-8", "replace")[:500]
        sys.exit(f"{method} {url.split('?')[0]}: HTTP {exc.code} {exc.reason}: {said}")
"""

# GitHub: issue comments (a pull request is an issue); needs `pull-requests: write`.
GITHUB = (
    _COMMON.replace("@MARKER@", PREVIEW_MARKER)
    + """
API = os.environ["GITHUB_API_URL"] + "/repos/" + os.environ["GITHUB_REPOSITORY"]
HEADERS = {
    "Authorization": "Bearer " + os.environ["GITHUB_TOKEN"],
    "Accept": "application/vnd.github+json",
    "Content-Type": "application/json",
    "X-GitHub-Api-Version": "2022-11-28",
    "User-Agent": "socialpub-ci",
}
url = API + "/issues/" + os.environ["PR_NUMBER"] + "/comments?per_page=100"
found = None
while url and found is None:
    page, headers = call("GET", url)
    found = next((c for c in page if c["user"]["login"] == "github-actions[bot]"
                  and c["body"].startswith(MARKER)), None)
    links = [part.split(";")[0].strip(" <>") for part in headers.get("Link", "").split(",")
             if 'rel="next"' in part]
    url = links[0] if links else None
if found is not None:
    call("PATCH", API + "/issues/comments/" + str(found["id"]), {"body": body})
    print("updated the preview comment", found["html_url"])
else:
    made, _ = call("POST", API + "/issues/" + os.environ["PR_NUMBER"] + "/comments",
                   {"body": body})
    print("posted the preview comment", made["html_url"])
"""
)

# GitLab: merge request notes; CI_JOB_TOKEN may only read them, so a project access token
# (scope `api`, role Reporter) in SOCIALPUB_GITLAB_TOKEN writes them.
GITLAB = (
    _COMMON.replace("@MARKER@", PREVIEW_MARKER)
    + """
token = os.environ.get("SOCIALPUB_GITLAB_TOKEN", "")
if not token:
    sys.exit("SOCIALPUB_GITLAB_TOKEN is not set: add a project access token (scope api, "
             "role Reporter) as a CI/CD variable of that name")
API = os.environ["CI_API_V4_URL"]
NOTES = (API + "/projects/" + os.environ["CI_PROJECT_ID"] + "/merge_requests/"
         + os.environ["CI_MERGE_REQUEST_IID"] + "/notes")
HEADERS = {"PRIVATE-TOKEN": token, "Content-Type": "application/json",
           "User-Agent": "socialpub-ci"}
me, _ = call("GET", API + "/user")
found, page = None, "1"
while page and found is None:
    notes, headers = call("GET", NOTES + "?" + urllib.parse.urlencode(
        {"per_page": 100, "page": page, "sort": "asc"}))
    found = next((n for n in notes if n["author"]["id"] == me["id"] and not n["system"]
                  and n["body"].startswith(MARKER)), None)
    page = headers.get("X-Next-Page", "")
if found is not None:
    call("PUT", NOTES + "/" + str(found["id"]), {"body": body})
    print("updated the preview note", found["id"])
else:
    made, _ = call("POST", NOTES, {"body": body})
    print("posted the preview note", made["id"])
"""
)
