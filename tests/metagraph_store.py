"""What the fake Meta Graph server (tests/metagraph.py) keeps: accounts, Facebook posts,
Instagram and Threads containers and media, the bytes Meta's crawler fetched, and a clock
the test controls. Tests read it through `feed()`, `instagram()`, `threads()`."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from tests.metagraph_tokens import TokenMeta, default_meta

Family = Literal["facebook", "threads"]  # graph.facebook.com (Pages, Instagram) or Threads
Kind = Literal["page", "instagram", "threads"]
Outcome = Literal["FINISHED", "ERROR", "EXPIRED"]
CONTAINER_LIFETIME = timedelta(hours=24)  # IG and Threads: containers expire after 24 h
QUOTA_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Account:
    kind: Kind
    id: str

    @property
    def family(self) -> Family:
        return "threads" if self.kind == "threads" else "facebook"


@dataclass(frozen=True)
class Image:
    """An image as a follower sees it: the bytes Meta fetched or received, and its alt text."""

    data: bytes
    alt_text: str | None = None
    url: str | None = None  # where Meta fetched it from; None for an uploaded file


@dataclass
class FbPhoto:
    id: str
    page_id: str
    image: Image
    caption: str
    published: bool
    created: datetime
    post_id: str | None = None  # the feed post showing it (published photo or album)
    deleted: bool = False


@dataclass
class FbVideo:
    id: str
    page_id: str
    data: bytes
    title: str
    description: str
    created: datetime
    url: str | None = None
    post_id: str | None = None
    deleted: bool = False


@dataclass
class FbPost:
    """A Page post: text, link, photos (album), a video; scheduled or published."""

    id: str
    page_id: str
    message: str
    created: datetime
    link: str | None = None
    photos: list[Image] = field(default_factory=list)
    video: bytes | None = None
    scheduled_for: datetime | None = None
    published_flag: bool = True  # False: scheduled or an unpublished post
    deleted: bool = False
    edits: list[str] = field(default_factory=list)  # earlier messages, oldest first
    updated: datetime | None = None

    def is_published(self, now: datetime) -> bool:
        due = self.scheduled_for is not None and self.scheduled_for <= now
        return not self.deleted and (self.published_flag or due)

    def is_scheduled(self, now: datetime) -> bool:
        return not self.deleted and self.scheduled_for is not None and self.scheduled_for > now


@dataclass(frozen=True)
class ContainerPlan:
    """How a container behaves: `polls` GETs answer IN_PROGRESS, then it is `outcome`."""

    polls: int = 1
    outcome: Outcome = "FINISHED"
    error_message: str = "UNKNOWN"  # Threads' error_message / the IG status text on ERROR


@dataclass
class Container:
    """An Instagram or Threads media container (POST /{user}/media or /{user}/threads)."""

    id: str
    family: Family
    owner: str
    media_type: str  # IMAGE, VIDEO, REELS, CAROUSEL, TEXT
    text: str  # IG caption or Threads text
    created: datetime
    plan: ContainerPlan
    image: Image | None = None
    video: bytes | None = None
    children: list[str] = field(default_factory=list)
    is_carousel_item: bool = False
    reply_to_id: str | None = None
    polls_seen: int = 0
    published_id: str | None = None
    used_in: str | None = None  # the carousel this child went into

    def state(self, now: datetime) -> str:
        if self.published_id is not None:
            return "PUBLISHED"
        if now - self.created > CONTAINER_LIFETIME:
            return "EXPIRED"
        if self.polls_seen < self.plan.polls:
            return "IN_PROGRESS"
        return self.plan.outcome


@dataclass
class Published:
    """An Instagram media or a Threads post, as its followers see it."""

    id: str
    family: Family
    owner: str
    container_id: str
    media_type: str
    text: str
    timestamp: datetime
    images: list[Image] = field(default_factory=list)
    video: bytes | None = None
    reply_to_id: str | None = None  # Threads: the post this one answers
    deleted: bool = False
    deleted_at: datetime | None = None


@dataclass(frozen=True)
class Fetched:
    url: str
    data: bytes | None  # None: the URL was not online


class Store:
    """All state behind one lock; the clock is real time plus an offset, or frozen."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._frozen: datetime | None = None
        self._offset = timedelta()
        self._tokens: dict[tuple[Family, str], Account] = {}
        self.token_meta: dict[str, TokenMeta] = {}  # what debug_token tells (metagraph_tokens)
        self.debug_needs_app_token = False  # debug_token refuses the tokens of non-developers
        self.objects: dict[str, FbPost | FbPhoto | FbVideo | Container | Published] = {}
        self.accounts: dict[str, Account] = {}
        self.fetched: list[Fetched] = []
        self.plans: deque[ContainerPlan] = deque()
        self.default_plan = ContainerPlan()
        self._next_id = 17_841_400_000_000_000
        # limits, as Meta documents them (each a knob for tests)
        self.schedule_min = timedelta(minutes=10)
        self.schedule_max = timedelta(days=30)
        self.ig_quota = 100
        self.ig_carousel_max = 10
        self.ig_delete_supported = False  # Meta's IG Media reference documents no DELETE
        self.threads_quota = 250
        self.threads_reply_quota = 1000
        self.threads_delete_quota = 100
        self.threads_carousel_max = 20

    # --- clock ----------------------------------------------------------------------------

    def now(self) -> datetime:
        if self._frozen is not None:
            return self._frozen
        return datetime.now(UTC) + self._offset

    def set_time(self, moment: datetime) -> None:
        """Freeze the server's clock (scheduling windows, quotas, expiry use it)."""
        with self.lock:
            self._frozen = moment.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        with self.lock:
            if self._frozen is not None:
                self._frozen += delta
            else:
                self._offset += delta

    # --- accounts -------------------------------------------------------------------------

    def add_page(self, page_id: str, token: str) -> None:
        self._add(Account("page", page_id), token)

    def add_instagram(self, ig_user_id: str, token: str) -> None:
        self._add(Account("instagram", ig_user_id), token)

    def add_threads(self, user_id: str, token: str) -> None:
        self._add(Account("threads", user_id), token)

    def _add(self, account: Account, token: str) -> None:
        with self.lock:
            self._tokens[(account.family, token)] = account
            self.accounts[account.id] = account
            self.token_meta[token] = default_meta(account, self.now())

    def set_token(
        self,
        token: str,
        *,
        scopes: tuple[str, ...] | None = None,
        expires_at: datetime | Literal["keep"] | None = "keep",
    ) -> None:
        """Change what a registered token may do, or when it expires (None: never)."""
        with self.lock:
            old = self.token_meta[token]
            self.token_meta[token] = TokenMeta(
                old.scopes if scopes is None else scopes,
                old.issued_at,
                old.expires_at if expires_at == "keep" else expires_at,
            )

    def revoke(self, token: str) -> None:
        """The token stops working (code 190), like a password change or a revoked app."""
        with self.lock:
            for key in [k for k in self._tokens if k[1] == token]:
                del self._tokens[key]

    def account_for(self, family: Family, token: str) -> Account | None:
        with self.lock:
            return self._tokens.get((family, token))

    # --- containers -----------------------------------------------------------------------

    def plan_next(self, *plans: ContainerPlan) -> None:
        """The next containers created (in order) follow these plans, then the default."""
        with self.lock:
            self.plans.extend(plans)

    def take_plan(self) -> ContainerPlan:
        with self.lock:
            return self.plans.popleft() if self.plans else self.default_plan

    def new_id(self) -> str:
        """A fresh object id, never one of an account (a test may pick any number)."""
        with self.lock:
            self._next_id += 1
            while str(self._next_id) in self.accounts:
                self._next_id += 1
            return str(self._next_id)

    # --- what a follower sees -------------------------------------------------------------

    def feed(self, page_id: str) -> list[FbPost]:
        """Every post the Page received, oldest first (deleted and scheduled ones included:
        check `deleted`, `is_published(now)`)."""
        with self.lock:
            return [
                o for o in self.objects.values() if isinstance(o, FbPost) and o.page_id == page_id
            ]

    def photos(self, page_id: str) -> list[FbPhoto]:
        with self.lock:
            return [
                o for o in self.objects.values() if isinstance(o, FbPhoto) and o.page_id == page_id
            ]

    def instagram(self, ig_user_id: str) -> list[Published]:
        return self._published("facebook", ig_user_id)

    def threads(self, user_id: str) -> list[Published]:
        """Every published Threads post, oldest first; a reply's `reply_to_id` names its parent."""
        return self._published("threads", user_id)

    def containers(self, owner: str) -> list[Container]:
        with self.lock:
            return [
                o for o in self.objects.values() if isinstance(o, Container) and o.owner == owner
            ]

    def thread_of(self, root_id: str) -> list[Published]:
        """A thread as its readers see it: the root, then each reply to the post before."""
        with self.lock:
            chain = [self.objects[root_id]]
            while True:
                children = [
                    o
                    for o in self.objects.values()
                    if isinstance(o, Published) and o.reply_to_id == chain[-1].id and not o.deleted
                ]
                if not children:
                    break
                chain.append(children[0])
            return [o for o in chain if isinstance(o, Published)]

    def _published(self, family: Family, owner: str) -> list[Published]:
        with self.lock:
            return [
                o
                for o in self.objects.values()
                if isinstance(o, Published) and o.family == family and o.owner == owner
            ]

    def published_since(self, family: Family, owner: str, replies: bool | None = None) -> int:
        """Posts published in the last 24 h (replies separately on Threads)."""
        since = self.now() - QUOTA_WINDOW
        return sum(
            1
            for o in self._published(family, owner)
            if o.timestamp > since and (replies is None or (o.reply_to_id is not None) == replies)
        )

    def deleted_since(self, owner: str) -> int:
        since = self.now() - QUOTA_WINDOW
        return sum(
            1
            for o in self._published("threads", owner)
            if o.deleted_at is not None and o.deleted_at > since
        )
