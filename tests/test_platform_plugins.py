"""Platforms are plugins: one folder per vendor, found by the registry, each satisfying the
Platform protocol; nothing outside a vendor folder imports one or branches on a vendor's name."""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import get_args

import pytest
from fakes.builders import BREVO_KEY, MAILCHIMP_KEY
from test_layers import ROOT, imported_modules, module_name, source_files

from copilot.errors import ConfigError
from copilot.io.abconfig import Audience
from copilot.io.abconfig import Platform as PlatformName
from copilot.platforms import registry
from copilot.platforms.base import Platform
from copilot.platforms.errors import AudienceError, UnknownPlatformError
from copilot.platforms.tags import platforms as tag_syntaxes
from copilot.settings import Settings

PLATFORMS_DIR = ROOT / "copilot" / "platforms"


def _settings(**keys: object) -> Settings:
    values: dict[str, object] = {"mailchimp_api_key": None, "brevo_api_key": None, **keys}
    return Settings(_env_file=None, **values)  # type: ignore[arg-type, call-arg]


def test_the_registry_has_a_folder_for_every_declared_platform_name() -> None:
    # adding a vendor folder without naming it in the Platform type (or the reverse) fails here
    assert registry.names() == list(get_args(PlatformName))


@pytest.mark.parametrize("name", registry.names())
def test_every_plugin_implements_the_protocol(name: str) -> None:
    plugin = registry.get(name)
    assert isinstance(plugin, Platform)
    assert plugin.name == name and (PLATFORMS_DIR / name / "__init__.py").is_file()
    assert plugin.limits.name == name
    assert plugin.tag_syntax in tag_syntaxes()
    assert plugin.label and plugin.key_env.endswith("_API_KEY") and plugin.template_note


def test_an_unknown_platform_names_the_known_ones() -> None:
    with pytest.raises(UnknownPlatformError, match="known: mailchimp, brevo"):
        registry.get("klaviyo")


@pytest.mark.parametrize("name", registry.names())
def test_a_client_needs_the_key_and_the_message_names_its_variable(name: str) -> None:
    plugin = registry.get(name)
    settings = _settings()
    assert plugin.has_key(settings) is False
    with pytest.raises(ConfigError, match=f"{plugin.key_env} is not set"):
        plugin.client(settings)


def test_clients_from_settings_reach_each_vendors_endpoint() -> None:
    settings = _settings(mailchimp_api_key=MAILCHIMP_KEY, brevo_api_key=BREVO_KEY)
    with registry.get("mailchimp").client(settings) as client:
        # no base URL given: the key's data centre names it
        assert str(client.base_url).rstrip("/") == "https://us21.api.mailchimp.com/3.0"
        assert client.headers["authorization"].startswith("Basic ")
    with registry.get("brevo").client(settings) as client:
        assert str(client.base_url).rstrip("/") == settings.brevo_base_url
        assert client.headers["api-key"] == BREVO_KEY


def test_audiences_are_read_the_way_each_platform_takes_them() -> None:
    assert registry.get("mailchimp").audience("a1b2", 7) == Audience(
        mailchimp_list_id="a1b2", mailchimp_segment_id=7
    )
    assert registry.get("brevo").audience("12, 31").brevo_list_ids == [12, 31]
    with pytest.raises(AudienceError, match="whole numbers"):
        registry.get("brevo").audience("12,news")


THIRD_VENDOR = '''
from copilot.platforms.limits import platform_limits
from copilot.platforms.mailchimp import Mailchimp


class Postal(Mailchimp):
    """A vendor that works like Mailchimp (its own limits.yaml would sit beside this file)."""

    name = "postal"
    label = "Postal"
    key_env = "POSTAL_API_KEY"

    @property
    def limits(self):
        return platform_limits("mailchimp")


plugin = Postal()
'''


def test_a_third_vendor_is_one_new_folder(tmp_path: Path, monkeypatch) -> None:
    package = tmp_path / "more_platforms"
    (package / "postal").mkdir(parents=True)
    (package / "helpers").mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "postal" / "__init__.py").write_text(THIRD_VENDOR, encoding="utf-8")
    (package / "helpers" / "__init__.py").write_text("", encoding="utf-8")  # not a vendor
    (package / "shared.py").write_text("", encoding="utf-8")  # a module, not a folder
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        found = registry.discover("more_platforms", [str(package)])
    finally:
        for mod in [m for m in sys.modules if m.startswith("more_platforms")]:
            del sys.modules[mod]
    assert list(found) == ["postal"]
    assert found["postal"].label == "Postal" and isinstance(found["postal"], Platform)


def test_a_plugin_is_named_for_its_folder(tmp_path: Path, monkeypatch) -> None:
    package = tmp_path / "misnamed_platforms"
    (package / "postal").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "postal" / "__init__.py").write_text(
        "from copilot.platforms.brevo import plugin\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        with pytest.raises(TypeError, match="named for its folder"):
            registry.discover("misnamed_platforms", [str(package)])
    finally:
        for mod in [m for m in sys.modules if m.startswith("misnamed_platforms")]:
            del sys.modules[mod]


def _outside_vendor_folders() -> list[Path]:
    vendors = [PLATFORMS_DIR / name for name in registry.names()]
    return [p for p in source_files() if not any(p.is_relative_to(v) for v in vendors)]


def test_no_module_outside_a_vendor_folder_imports_one() -> None:
    vendors = tuple(f"copilot.platforms.{name}" for name in registry.names())
    bad = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in _outside_vendor_folders()
        for module in sorted(imported_modules(path))
        if module.startswith(vendors) and module_name(path) != "copilot.platforms.registry"
    ]
    assert bad == []


def _vendor_comparisons(tree: ast.AST) -> list[int]:
    """Lines comparing something with a vendor-name literal (`x == "brevo"`, `in (...)`)."""
    names = set(registry.names())
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                elts = side.elts if isinstance(side, (ast.Tuple, ast.List, ast.Set)) else [side]
                if any(isinstance(e, ast.Constant) and e.value in names for e in elts):
                    lines.append(node.lineno)
                    break
    return lines


def test_no_code_outside_a_vendor_folder_branches_on_a_vendor_name() -> None:
    bad = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _outside_vendor_folders()
        for line in _vendor_comparisons(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert bad == [], "move what the branch decides into the vendor's plugin"


def test_the_branch_check_sees_a_branch(tmp_path: Path) -> None:
    tree = ast.parse('if platform == "brevo" or p in ("mailchimp", "x"):\n    pass\n')
    assert len(_vendor_comparisons(tree)) == 2
