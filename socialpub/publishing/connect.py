"""Build the channel-bound `Http` an adapter sends with: secrets, timeouts, pacing, retries."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import httpx

from socialpub.channels.adapter import Adapter
from socialpub.content.config import Config
from socialpub.content.pubconfig import Rate
from socialpub.net.http import Clock, Http, RateLimiter, RetryPolicy, make_client

#: at most this many requests may go at once before pacing starts
MAX_BURST = 10


def connector(
    config: Config,
    adapters: Mapping[str, Adapter],
    environ: Mapping[str, str],
    clock: Clock,
    *,
    transport: httpx.BaseTransport | None = None,
    jitter: Callable[[], float] = lambda: 1.0,
) -> Callable[[str], Http]:
    """A function channel name → Http. Raises ConfigError when a secret is not set."""
    settings = config.publish
    policy = RetryPolicy(
        attempts=settings.retries,
        backoff=settings.backoff,
        max_rate_wait=settings.max_rate_wait,
    )
    timeout = httpx.Timeout(settings.timeout)

    def connect(name: str) -> Http:
        channel = config.channels[name]
        secrets = {
            key: ref.resolve(environ, name)
            for key, ref in channel.settings.items()
            if key in channel.spec.secrets and ref is not None
        }
        rate = channel.rate_limit or Rate(*adapters[name].default_rate)
        # A burst b plus pacing at r never exceeds b + r·T requests in a window T: pace at
        # (N − b)/T so that a limit of N per T is a ceiling, not an average.
        burst = max(1, min(rate.requests // 10, MAX_BURST))
        limiter = RateLimiter((rate.requests - burst) / rate.seconds, burst, clock)
        return Http(
            make_client(transport, timeout),
            channel=name,
            secrets=secrets,
            clock=clock,
            limiter=limiter,
            policy=policy,
            jitter=jitter,
        )

    return connect
