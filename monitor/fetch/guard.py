"""No fetches into private networks from links a feed supplies (SSRF).

Configured feed URLs are fetched as written. A link or redirect taken from feed
content is refused when its host resolves to a loopback, private, link-local
(cloud metadata), multicast or otherwise non-public address, unless the host is
the feed's own host or the address is in ``crawl.allow_private_networks``.

The check runs where the address is used: IP literals before the request, host
names in the resolver the connection uses (so a second DNS answer cannot differ
from the one checked).
"""

from __future__ import annotations

import contextvars
import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class Refused(OSError):
    """The address a link leads to is not one the crawl may fetch."""


@dataclass(frozen=True)
class LinkPolicy:
    """Where links from one feed may lead: public addresses, its own host, allowed networks."""

    own_host: str
    allowed: tuple[IPNetwork, ...] = ()

    def refusal(self, host: str, addresses: Sequence[str]) -> str | None:
        """Why ``host`` (resolved to ``addresses``) may not be fetched, or None when it may."""
        if _norm(host) == _norm(self.own_host):
            return None
        for text in addresses:
            ip = ipaddress.ip_address(text.split("%", 1)[0])
            kind = non_public_kind(ip)
            if kind is not None and not any(ip in net for net in self.allowed if ip.version == net.version):
                return (f"refused: {host} is a {kind} address ({ip}); links from feeds may not reach "
                        "private networks (crawl.allow_private_networks)")
        return None


# The policy of the request running in this task (None: a configured feed URL, unrestricted).
current_policy: contextvars.ContextVar[LinkPolicy | None] = contextvars.ContextVar("link_policy", default=None)


def non_public_kind(ip: IPAddress) -> str | None:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    checks = (("loopback", ip.is_loopback), ("unspecified", ip.is_unspecified), ("link-local", ip.is_link_local),
              ("multicast", ip.is_multicast), ("private", ip.is_private), ("reserved", ip.is_reserved))
    for kind, matches in checks:
        if matches:
            return kind
    return None if ip.is_global else "non-public"


def check_literal(host: str) -> None:
    """IP literals never reach the resolver: check them before the request."""
    policy = current_policy.get()
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return
    if policy is not None and (reason := policy.refusal(host, [host.strip("[]")])):
        raise Refused(reason)


class GuardedResolver(AbstractResolver):
    """The default resolver, refusing answers the current task's policy forbids."""

    def __init__(self) -> None:
        self._inner = DefaultResolver()

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        policy = current_policy.get()
        if policy is not None and (reason := policy.refusal(host, [r["host"] for r in results])):
            raise Refused(reason)
        return results

    async def close(self) -> None:
        await self._inner.close()


def _norm(host: str) -> str:
    return host.strip("[]").rstrip(".").lower()

