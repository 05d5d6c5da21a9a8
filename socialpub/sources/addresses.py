"""Which addresses a partner's media may be downloaded from: public ones only.

A partner feed names the image URLs, so a hijacked feed could make the county's CI fetch
`http://169.254.169.254/…` (cloud metadata) or an intranet page and publish it on the site.
Every address a media host resolves to must be public, unless the source's `allow_private`
setting names the host or the address's network (a source that is on purpose internal).
The feed URLs themselves are configured by the press office and are not checked.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from socialpub.content.sourceconfig import Network, SourceConfig, allowed_entry
from socialpub.i18n import _
from socialpub.sources.net import Refused, SourceFailed

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
#: host name → every address it resolves to; raises OSError when it cannot be resolved
Resolver = Callable[[str], Sequence[str]]

#: checked explicitly, so the answer does not depend on the Python version's tables
_PRIVATE = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # an IPv4 address inside an IPv6 one
#: the forms inet_aton reads and the system resolver, too: 127.1, 2130706433, 0x7f000001
_NUMERIC_IPV4 = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}$", re.IGNORECASE)


def system_resolve(host: str) -> list[str]:
    """What the connection will use: the system resolver (hosts file, DNS)."""
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def literal(host: str) -> Address | None:
    """The address a numeric host stands for (every form the system accepts), else None."""
    text = host.rstrip(".")
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if _NUMERIC_IPV4.match(text):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(text))
        except OSError:
            return None
    return None


def reached(address: Address) -> Address:
    """The IPv4 address an IPv6 one carries inside (::ffff:127.0.0.1 reaches 127.0.0.1)."""
    if isinstance(address, ipaddress.IPv6Address):
        inside = address.ipv4_mapped or address.sixtofour or _nat64(address)
        if inside is not None:
            return inside
    return address


def non_public(address: Address) -> str:
    """What kind of non-public address this is, e.g. "a loopback address"; "" when public."""
    address = reached(address)
    checks: tuple[tuple[bool, str], ...] = (
        (address.is_unspecified, _("an unspecified address")),  # 0.0.0.0 reaches this machine
        (address.is_loopback, _("a loopback address")),
        (address.is_link_local, _("a link-local address")),  # 169.254.169.254: cloud metadata
        (address in _SHARED, _("a carrier-grade NAT address")),
        (address.is_multicast, _("a multicast address")),
        (any(address in network for network in _PRIVATE), _("a private address")),
        (
            isinstance(address, ipaddress.IPv6Address) and address.is_site_local,
            _("a private address"),
        ),
        (address.is_reserved, _("a reserved address")),
        (not address.is_global, _("a non-public address")),
    )
    return next((kind for found, kind in checks if found), "")


def _address(text: str) -> tuple[str, Address]:
    """An address as the system gives it (without an IPv6 zone like %eth0), and parsed."""
    plain = text.partition("%")[0]
    return plain, ipaddress.ip_address(plain)


def _nat64(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address not in _NAT64:
        return None
    return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)


@dataclass(frozen=True)
class AddressPolicy:
    """The check one source's media downloads go through (see `net.get_checked`)."""

    source: str  # its name, for the hint
    networks: tuple[Network, ...] = ()
    hosts: frozenset[str] = frozenset()
    resolve: Resolver = field(default=system_resolve, compare=False)

    @classmethod
    def for_source(cls, source: SourceConfig, resolve: Resolver = system_resolve) -> AddressPolicy:
        entries = [allowed_entry(entry) for entry in source.allow_private]
        networks = tuple(entry for entry in entries if not isinstance(entry, str))
        hosts = frozenset(entry for entry in entries if isinstance(entry, str))
        return cls(source.name, networks, hosts, resolve)

    def check_host(self, host: str) -> None:
        """Refused unless every address `host` stands for may be fetched from."""
        if self._host_allowed(host):
            return
        address = literal(host)
        if address is not None:
            self._check(address, f"{host} is")
            return
        try:
            resolved = [_address(text) for text in self.resolve(host)]
        except (OSError, ValueError):
            raise SourceFailed(_("{host} cannot be resolved").format(host=host)) from None
        if not resolved:
            raise SourceFailed(_("{host} cannot be resolved").format(host=host))
        for text, address in resolved:
            self._check(address, _("{host} resolves to {text},").format(host=host, text=text))

    def check_peer(self, host: str, peer: str) -> None:
        """Refused unless the connection made for `host` went to an address it may."""
        if self._host_allowed(host):
            return
        text, address = _address(peer)
        self._check(
            address, _("the connection to {host} went to {text},").format(host=host, text=text)
        )

    def _host_allowed(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.hosts

    def _check(self, address: Address, subject: str) -> None:
        kind = non_public(address)
        if not kind or any(a in n for a in {address, reached(address)} for n in self.networks):
            return
        setting = f"sources.{self.source}.allow_private"
        raise Refused(
            f"{subject} {kind}",
            _("allow it with {setting} if this source is on purpose internal").format(
                setting=setting
            ),
        )
