"""Every URL pattern of the project, with a sample URL built for each."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

SAMPLES = {
    "int": "999999",
    "str": "sample",
    "slug": "sample",
    "uuid": "00000000-0000-0000-0000-000000000000",
    "path": "sample/file",
}
CONVERTER = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass
class Route:
    name: str  # "namespace:name" or the route when unnamed
    url: str | None  # a sample URL, or None when a regex pattern can't be sampled
    callback: Callable[..., Any]


def _sample(route: str) -> str:
    return CONVERTER.sub(lambda m: SAMPLES.get(m.group("conv") or "str", "sample"), route)


def walk(
    resolver: URLResolver | None = None,
    prefix: str = "/",
    namespace: str = "",
    sampleable: bool = True,
) -> Iterator[Route]:
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        is_route = isinstance(entry.pattern, RoutePattern)
        part = _sample(str(entry.pattern)) if is_route else ""
        ok = sampleable and (is_route or str(entry.pattern) in ("", "^"))
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, prefix + part, ns, ok)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else prefix + str(entry.pattern)
            yield Route(name=name, url=prefix + part if ok else None, callback=entry.callback)
