"""The PDF: headless Chromium prints the report's `print.html` on A4.

Chromium is looked up on PATH (`chromium`, `chromium-browser`, `google-chrome`, or the
`FRONTS_CHROMIUM` environment variable). It runs with every background service off, a fresh
profile and no network use of its own; the page itself loads only files beside it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from fronts.errors import FrontsError

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = (
    "install Chromium (Debian/Ubuntu: `apt-get install -y chromium`), put it on PATH or set "
    "FRONTS_CHROMIUM to its path, or make the report without the PDF (`--no-pdf`)"
)
# Background services off: on a closed network they would retry connections at every start.
QUIET_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
)
# Virtual time lets the page's scripts draw every chart before the print or screenshot.
VIRTUAL_TIME_MS = 10_000


def find_browser() -> str | None:
    """Path of a Chromium-family browser, or None."""
    configured = os.environ.get("FRONTS_CHROMIUM")
    if configured:
        return shutil.which(configured) or (configured if Path(configured).is_file() else None)
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def require_browser() -> str:
    """Path of the browser, or a `FrontsError` that says how to get one."""
    browser = find_browser()
    if browser is None:
        raise FrontsError(
            f"no Chromium found to print the PDF ({', '.join(BROWSERS)}); {INSTALL_HINT}"
        )
    return browser


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="fronts-chromium-") as profile:
        cmd = [*args[:1], *QUIET_FLAGS, f"--user-data-dir={profile}", *args[1:]]
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise FrontsError(f"Chromium did not finish within {timeout:.0f} s: {cmd}") from exc


def print_pdf(index_html: str | Path, pdf: str | Path, timeout: float = 180.0) -> Path:
    """Print `index_html` (usually the report's print.html) to `pdf` with headless Chromium.

    Page size and margins come from the page's CSS (`@page { size: A4 }`); the headings become
    the PDF's bookmarks. Raises
    `FrontsError` with an install hint when no browser is found, and with Chromium's own
    message when printing fails.
    """
    browser = require_browser()
    page, out = Path(index_html).resolve(), Path(pdf).resolve()
    if not page.is_file():
        raise FrontsError(f"{page}: no such page to print")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    result = _run(
        [
            browser,
            "--no-pdf-header-footer",
            "--generate-pdf-document-outline",  # bookmarks from the headings
            f"--virtual-time-budget={VIRTUAL_TIME_MS}",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ],
        timeout,
    )
    if not out.is_file() or out.stat().st_size == 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise FrontsError(f"Chromium could not print {page} (exit {result.returncode}): {tail}")
    return out


def screenshot(
    page: str | Path, png: str | Path, width: int = 1280, height: int = 2000, timeout: float = 120
) -> Path:
    """A PNG of the top `width` x `height` pixels of `page`, for a look at the rendering."""
    browser = require_browser()
    page, out = Path(page).resolve(), Path(png).resolve()
    out.unlink(missing_ok=True)
    result = _run(
        [
            browser,
            "--hide-scrollbars",
            f"--window-size={width},{height}",
            f"--virtual-time-budget={VIRTUAL_TIME_MS}",
            f"--screenshot={out}",
            page.as_uri(),
        ],
        timeout,
    )
    if not out.is_file():
        raise FrontsError(f"Chromium could not take a screenshot of {page}: {result.stderr[-500:]}")
    return out


def pdf_page_count(pdf: str | Path) -> int:
    """Number of pages of a PDF, from its page tree (the largest /Count of a /Pages node).

    Good for the uncompressed page trees Chromium writes; falls back to counting /Page objects.
    """
    raw = Path(pdf).read_bytes()
    counts = [
        int(m.group(1))
        for m in re.finditer(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", raw, re.DOTALL)
    ]
    counts += [
        int(m.group(1))
        for m in re.finditer(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", raw, re.DOTALL)
    ]
    if counts:
        return max(counts)
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", raw))
