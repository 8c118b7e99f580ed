"""Confirm links in a real browser: render pages in Debian's Chromium (driven by Playwright, never a
downloaded browser) and judge each link to the Collectif by computed style and bounding box. Also
finds links that JavaScript injects.

Run as a child process: `python -m crawler.browser JOB.json OUT.jsonl`, where the job is
`{"domains": [...], "timeout_s": 20, "origin_hosts": [...], "pages": [{"site", "url", "hosts": [...]}]}`
(`origin_hosts`: the configured hosts, which may be on loopback in tests; every request passes
`AddressCheckingProxy`). Each output line is
`{"site", "page", "ok", "error", "links": [...]}`.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.address_proxy import AddressCheckingProxy

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
_SCRIPT = (Path(__file__).parent / "browser_visibility.js").read_text(encoding="utf-8")


def find_chromium() -> str | None:
    """The installed Chromium: $VEILLE_CHROMIUM, else `chromium` or `chromium-browser` on the PATH."""
    configured = os.environ.get("VEILLE_CHROMIUM")
    if configured is not None:
        return configured if configured and Path(configured).exists() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _same_site_only(hosts: set[str]) -> Any:
    def handle(route: Any) -> None:
        if urlsplit(route.request.url).hostname in hosts:
            route.continue_()
        else:
            route.abort()

    return handle


def render_pages(job: dict[str, Any], executable: str) -> Iterator[dict[str, Any]]:
    """Render each page of the job and yield what the browser saw of it, page by page."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    timeout_ms = int(job.get("timeout_s", 20) * 1000)
    proxy = AddressCheckingProxy(job.get("origin_hosts") or [])
    # Every request goes through the proxy, loopback included (Chromium bypasses proxies for
    # loopback unless told `<-loopback>`); WebRTC may not open its own UDP paths.
    network_args = [
        f"--proxy-server={proxy.start()}",
        "--proxy-bypass-list=<-loopback>",
        "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=[*CHROMIUM_ARGS, *network_args]
        )
        try:
            for entry in job["pages"]:
                hosts = set(entry.get("hosts") or [urlsplit(entry["url"]).hostname])
                context = browser.new_context(
                    user_agent=job.get("user_agent") or None,
                    viewport={"width": 1280, "height": 900},
                    service_workers="block",
                )
                page = context.new_page()
                # Only the member's own site is loaded: no third-party request leaves the browser.
                page.route("**/*", _same_site_only(hosts))
                result: dict[str, Any] = {
                    "site": entry["site"],
                    "page": entry["url"],
                    "depth": entry.get("depth"),
                    "ok": False,
                }
                try:
                    response = page.goto(entry["url"], wait_until="load", timeout=timeout_ms)
                    if response is None or response.status >= 400:
                        # Refused by the proxy, or an error page: judge nothing on it.
                        result["error"] = f"HTTP {response.status}" if response else "pas de réponse"
                    else:
                        # A page that keeps polling the network is judged as it stands.
                        with contextlib.suppress(PlaywrightError):
                            page.wait_for_load_state("networkidle", timeout=min(timeout_ms, 3000))
                        result["links"] = page.evaluate(_SCRIPT, list(job["domains"]))
                        result["ok"] = True
                except PlaywrightError as exc:
                    result["error"] = str(exc).splitlines()[0][:300]
                finally:
                    context.close()
                yield result
        finally:
            browser.close()
            proxy.stop()


def main(argv: list[str]) -> int:
    job_path, out_path = argv
    job = json.loads(Path(job_path).read_text(encoding="utf-8"))
    executable = job.get("executable") or find_chromium()
    if not executable:
        print("no Chromium found", file=sys.stderr)
        return 3
    with Path(out_path).open("w", encoding="utf-8") as out:
        for result in render_pages(job, executable):
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
            out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
