"""docs/performance.md "Pages": each page's JavaScript and CSS, everything its browser loads
(its stylesheets and the module graph from its script), at most 100 KB uncompressed, with no
bundler: small ES modules loaded as they are."""

from __future__ import annotations

import re
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "web"
PAGES = (
    "staff/index.html",
    "staff/onboarding/index.html",
    "staff/accounts/index.html",
    "staff/settings/index.html",
    "portal/index.html",
)
LIMIT = 100 * 1024  # docs/decisions.md 61
IMPORT = re.compile(r'^import (?:[^"]* from )?"([^"]+)";', re.MULTILINE)  # a bare import "x.js" too


def served(address: str) -> Path:
    return (WEB / address.lstrip("/")).resolve()


def loaded_by(page: str) -> set[Path]:
    """The page's stylesheets and scripts, and every module those scripts import."""
    html = (WEB / page).read_text(encoding="utf-8")
    roots = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html) + re.findall(r'<script[^>]* src="([^"]+)"', html)
    found: set[Path] = set()
    waiting = [served(root) for root in roots]
    while waiting:
        path = waiting.pop()
        if path in found:
            continue
        found.add(path)
        if path.suffix == ".js":
            waiting += [(path.parent / target).resolve() for target in IMPORT.findall(path.read_text(encoding="utf-8"))]
    return found


def test_each_page_loads_at_most_100_kb_of_javascript_and_css():
    for page in PAGES:
        files = loaded_by(page)
        assert {path.suffix for path in files} == {".js", ".css"}, page
        assert all(path.is_file() for path in files), f"{page} loads a missing file"
        total = sum(path.stat().st_size for path in files)
        assert total <= LIMIT, (
            f"{page}: {total} bytes > {LIMIT}: {sorted(str(path.relative_to(WEB)) for path in files)}"
        )


def test_every_shipped_script_and_stylesheet_is_loaded_by_some_page():
    """So the per-page measure misses nothing: a file no page loads is dead weight in the bucket."""
    loaded = set().union(*(loaded_by(page) for page in PAGES)) | {served("/assets/site.css")}
    shipped = {path.resolve() for path in WEB.rglob("*") if path.suffix in {".js", ".mjs", ".css"}}
    assert shipped <= loaded, sorted(str(path.relative_to(WEB)) for path in shipped - loaded)


def test_every_page_loads_plain_es_modules_with_relative_imports_only():
    modules = sorted(WEB.rglob("*.js"))
    assert len(modules) > 10
    for path in modules:
        for target in re.findall(r'^import .* from "([^"]+)";$', path.read_text(encoding="utf-8"), re.MULTILINE):
            assert target.startswith(("./", "../")), f"{path} imports {target}: no bundler, no bare imports"
            assert (path.parent / target).resolve().is_file(), f"{path} imports a missing {target}"
            assert (path.parent / target).resolve().is_relative_to(WEB), f"{path} imports {target} from outside web/"


def test_the_pages_share_modules_only_through_web_common():
    """The portal imports nothing of the staff pages' (nor they of the portal's): what both use
    lives in web/common/, which the local runtime and CloudFront serve like any page file."""
    pages = {"portal": WEB / "portal", "staff": WEB / "staff"}
    for path in sorted(WEB.rglob("*.js")):
        own = next((name for name, folder in pages.items() if path.is_relative_to(folder)), None)
        for target in re.findall(r'^import .* from "([^"]+)";$', path.read_text(encoding="utf-8"), re.MULTILINE):
            found = (path.parent / target).resolve()
            other = next((name for name, folder in pages.items() if found.is_relative_to(folder)), None)
            assert other in (own, None), f"{path} imports {target} from web/{other}/: move it to web/common/"
