"""The sending platforms: one plugin per vendor folder under copilot/platforms/, found by scanning
the package (pkgutil), so a third vendor is one new folder whose `__init__.py` exposes `plugin`.

Names come in the order `copilot.io.abconfig.Platform` declares them (then any other, sorted);
a test keeps that declaration and the folders in step.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import get_args

import copilot.platforms as package
from copilot.io.abconfig import Platform as PlatformName
from copilot.platforms.base import Platform
from copilot.platforms.errors import UnknownPlatformError

#: the attribute a vendor package exposes its plugin object under
PLUGIN = "plugin"


def discover(package_name: str, search_path: list[str]) -> dict[str, Platform]:
    """Every subpackage of `package_name` (found on `search_path`) exposing a plugin, by name."""
    found: dict[str, Platform] = {}
    for info in pkgutil.iter_modules(search_path):
        if not info.ispkg:
            continue
        module = importlib.import_module(f"{package_name}.{info.name}")
        plugin = getattr(module, PLUGIN, None)
        if plugin is None:
            continue
        if not isinstance(plugin, Platform):
            raise TypeError(f"{module.__name__}.{PLUGIN} does not implement the Platform protocol")
        if plugin.name != info.name:
            raise TypeError(
                f"{module.__name__}.{PLUGIN} is named {plugin.name!r}; a plugin is named for "
                "its folder"
            )
        found[plugin.name] = plugin
    declared = list(get_args(PlatformName))
    order = {name: i for i, name in enumerate(declared)}
    return dict(sorted(found.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))


@cache
def _plugins() -> dict[str, Platform]:
    return discover(package.__name__, list(package.__path__))


def names() -> list[str]:
    """The platforms there is a vendor folder for."""
    return list(_plugins())


def plugins() -> list[Platform]:
    """Every platform plugin, in `names()` order."""
    return list(_plugins().values())


def get(name: str) -> Platform:
    """The plugin of platform `name` (UnknownPlatformError lists the known ones)."""
    try:
        return _plugins()[name]
    except KeyError:
        raise UnknownPlatformError(
            f"unknown platform {name!r}; known: {', '.join(names())}"
        ) from None
