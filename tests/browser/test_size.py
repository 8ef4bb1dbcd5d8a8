"""docs/performance.md "Pages": all JavaScript and CSS shipped under web/ total at most 100 KB
uncompressed, with no bundler: small ES modules loaded as they are."""

from __future__ import annotations

import re
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "web"
LIMIT = 100 * 1024


def shipped() -> dict[str, int]:
    return {
        str(path.relative_to(WEB)): path.stat().st_size
        for path in sorted(WEB.rglob("*"))
        if path.is_file() and path.suffix in {".js", ".mjs", ".css"}
    }


def test_all_javascript_and_css_shipped_is_at_most_100_kb():
    sizes = shipped()
    assert sizes, "nothing measured"
    total = sum(sizes.values())
    assert total <= LIMIT, f"{total} bytes > {LIMIT}: {sizes}"


def test_every_page_loads_plain_es_modules_with_relative_imports_only():
    modules = sorted(WEB.rglob("*.js"))
    assert len(modules) > 10
    for path in modules:
        for target in re.findall(r'^import .* from "([^"]+)";$', path.read_text(encoding="utf-8"), re.MULTILINE):
            assert target.startswith(("./", "../")), f"{path} imports {target}: no bundler, no bare imports"
            assert (path.parent / target).resolve().is_file(), f"{path} imports a missing {target}"
            assert (path.parent / target).resolve().is_relative_to(WEB), f"{path} imports {target} from outside web/"


def test_the_pages_share_modules_only_through_web_shared():
    """The portal imports nothing of the staff pages' (nor they of the portal's): what both use
    lives in web/shared/, which the local runtime and CloudFront serve like any page file."""
    pages = {"portal": WEB / "portal", "staff": WEB / "staff"}
    for path in sorted(WEB.rglob("*.js")):
        own = next((name for name, folder in pages.items() if path.is_relative_to(folder)), None)
        for target in re.findall(r'^import .* from "([^"]+)";$', path.read_text(encoding="utf-8"), re.MULTILINE):
            found = (path.parent / target).resolve()
            other = next((name for name, folder in pages.items() if found.is_relative_to(folder)), None)
            assert other in (own, None), f"{path} imports {target} from web/{other}/: move it to web/shared/"
