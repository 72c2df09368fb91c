"""The visitor's address, for sign-in lockouts and every rate limit.

``X-Forwarded-For`` is believed only when the connection comes from one of the proxies
named in ``KQM_TRUSTED_PROXIES`` (addresses or networks). Each trusted proxy appends the
address it saw, so the visitor is the right-most entry that is not itself a trusted proxy.
Anything else (no trusted proxy configured, or a visitor connecting directly) uses the
connection's own address: a visitor cannot choose their address by sending the header.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> bool:
    if address is None:
        return False
    networks = _networks(tuple(getattr(settings, "KQM_TRUSTED_PROXIES", ())))
    return any(address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The visitor's address as text ("unknown" when the connection has none)."""
    remote_text = request.META.get("REMOTE_ADDR", "") or ""
    remote = _address(remote_text)
    if remote is None:
        return "unknown"
    if not _trusted(remote):
        return str(remote)
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # a malformed entry: trust nothing further left
        if not _trusted(address):
            return str(address)
    return str(remote)


def axes_client_address(request: HttpRequest) -> str | None:
    """``AXES_CLIENT_IP_CALLABLE``: the same address every rate limit uses (None when the
    request has no address, as axes stores addresses in an address column)."""
    address = client_address(request)
    return None if address == "unknown" else address
