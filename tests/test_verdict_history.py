"""Site verdicts and night-to-night history, as pure functions on literal items."""

from __future__ import annotations

from typing import Any

from monitor.links.confirmation import apply_browser
from monitor.links.history import backlink_id, reconcile
from monitor.links.verdict import SiteOutcome, site_outcome

HOME = "http://m.org/"
PARTNERS = "http://m.org/partenaires"


def page(url: str = HOME, ok: bool = True, home: bool = True, **extra: Any) -> dict[str, Any]:
    return {"type": "page", "site": "m", "url": url, "requested_url": url, "ok": ok, "is_home": home, **extra}


def link(
    visible: bool = True, rel: list[str] | None = None, url: str = "https://contrelatraite.org/", **extra: Any
) -> dict[str, Any]:
    return {
        "type": "link",
        "site": "m",
        "page": HOME,
        "url": url,
        "href": url,
        "text": "Collectif",
        "rel": rel or [],
        "visible": visible,
        "judged_by": "static",
        "hidden_reason": None if visible else "display:none",
        **extra,
    }


def test_verdicts() -> None:
    assert site_outcome("m", [page(), link()]).status == "linked"
    assert (
        site_outcome("m", [page(), link(rel=["nofollow"]), link(visible=False)]).status == "linked_nofollow"
    )
    assert site_outcome("m", [page(), link(rel=["ugc"]), link(visible=True)]).status == "linked"
    assert site_outcome("m", [page(), link(visible=False)]).status == "hidden"
    assert site_outcome("m", [page()]).status == "missing"
    assert site_outcome("m", []).status == "unreachable"


def test_a_site_that_could_not_be_read_is_never_missing() -> None:
    for kind, status in (
        ("robots", "blocked"),
        ("forbidden", "blocked"),
        ("timeout", "unreachable"),
        ("http", "unreachable"),
    ):
        outcome = site_outcome("m", [page(ok=False, error_kind=kind, error="x"), link()])
        assert outcome.status == status and outcome.links == []
    unread_link_page = page(PARTNERS, ok=False, home=False, known=True, status=503, error="HTTP 503")
    assert site_outcome("m", [page(), unread_link_page]).status == "unreachable"
    gone_link_page = page(PARTNERS, ok=False, home=False, known=True, status=404, error="HTTP 404")
    assert site_outcome("m", [page(), gone_link_page]).status == "missing"


def night(
    state: list[dict], previous: str | None, outcome: SiteOutcome, now: str
) -> tuple[list[dict], list[str]]:
    """Apply one night to a stored state (as the store would) and return it with the event names."""
    changes = reconcile("m", state, previous, outcome, now)
    merged = {row["id"]: row for row in state}
    merged.update({row["id"]: row for row in changes.backlinks})
    return list(merged.values()), [event["event"] for event in changes.events]


def test_a_link_is_lost_only_after_two_readable_nights_without_it() -> None:
    with_link = site_outcome("m", [page(), link()])
    without = site_outcome("m", [page()])
    down = site_outcome("m", [page(ok=False, error_kind="timeout", error="délai")])
    state, events = night([], None, with_link, "d1")
    assert events == ["gained"] and state[0]["id"] == backlink_id("m", HOME, "https://contrelatraite.org/")
    state, events = night(state, "linked", without, "d2")
    assert events == [] and state[0]["present"] == 1 and state[0]["missed_runs"] == 1
    state, events = night(state, "missing", down, "d3")
    assert events == ["site_unreachable"] and state[0]["missed_runs"] == 1
    state, events = night(state, "unreachable", without, "d4")
    assert events == ["site_back", "lost"] and state[0]["present"] == 0 and state[0]["lost_at"] == "d4"
    state, events = night(state, "missing", with_link, "d5")
    assert events == ["gained"] and state[0]["present"] == 1 and state[0]["first_seen"] == "d5"


def test_one_missing_night_then_back_is_not_a_loss() -> None:
    state, _ = night([], None, site_outcome("m", [page(), link()]), "d1")
    state, _ = night(state, "linked", site_outcome("m", [page()]), "d2")
    state, events = night(state, "missing", site_outcome("m", [page(), link()]), "d3")
    assert events == [] and state[0]["missed_runs"] == 0 and state[0]["first_seen"] == "d1"


def test_a_flapping_site_keeps_its_last_known_links() -> None:
    up = site_outcome("m", [page(), link()])
    down = site_outcome("m", [page(ok=False, error_kind="http", status=503, error="HTTP 503")])
    state, all_events = [], []
    previous = None
    for number, outcome in enumerate([up, down, up, down, down, up], start=1):
        state, events = night(state, previous, outcome, f"d{number}")
        previous = outcome.status
        all_events += events
    assert all_events == ["gained", "site_unreachable", "site_back", "site_unreachable", "site_back"]
    assert state[0]["present"] == 1 and state[0]["last_seen"] == "d6" and state[0]["missed_runs"] == 0


def test_changes_of_visibility_and_rel_are_events() -> None:
    state, _ = night([], None, site_outcome("m", [page(), link()]), "d1")
    state, events = night(state, "linked", site_outcome("m", [page(), link(visible=False)]), "d2")
    assert events == ["became_hidden"]
    state, events = night(state, "hidden", site_outcome("m", [page(), link(rel=["nofollow"])]), "d3")
    assert events == ["became_visible", "became_nofollow"]
    state, events = night(state, "linked_nofollow", site_outcome("m", [page(), link()]), "d4")
    assert events == ["became_followed"]


def test_a_link_on_a_page_not_read_tonight_is_unknown_not_absent() -> None:
    on_partners = link(page=PARTNERS)
    state, _ = night([], None, site_outcome("m", [page(), page(PARTNERS, home=False), on_partners]), "d1")
    home_only = site_outcome("m", [page()])
    for day in ("d2", "d3", "d4"):
        state, events = night(state, "linked", home_only, day)
        assert events == [] and state[0]["missed_runs"] == 0


def test_duplicate_occurrences_count_once_and_the_best_wins() -> None:
    state, events = night(
        [], None, site_outcome("m", [page(), link(visible=False), link(), link(rel=["nofollow"])]), "d1"
    )
    assert events == ["gained"] and len(state) == 1 and state[0]["visible"] == 1 and state[0]["rel"] == ""


def test_browser_verdict_overrides_static_and_adds_injected_links() -> None:
    static = [
        link(),
        link(url="https://contrelatraite.org/b"),
        {**link(visible=False), "hidden_reason": "comment"},
        {**link(), "page": PARTNERS},
    ]
    rendered = [
        {
            "site": "m",
            "page": HOME,
            "ok": True,
            "depth": 0,
            "links": [
                {
                    "url": "https://contrelatraite.org/",
                    "href": "/",
                    "text": "C",
                    "rel": [],
                    "location": "footer",
                    "visible": False,
                    "hidden_reason": "off-screen",
                },
                {
                    "url": "https://contrelatraite.org/js",
                    "href": "/js",
                    "text": "JS",
                    "rel": [],
                    "location": "nav",
                    "visible": True,
                    "hidden_reason": None,
                },
            ],
        },
        {"site": "m", "page": PARTNERS, "ok": False, "error": "timeout"},
    ]
    merged = {(x["page"], x["url"]): x for x in apply_browser(static, rendered)}
    judged = [x for x in apply_browser(static, rendered) if x["page"] == HOME]
    reasons = sorted(
        (x["url"].rsplit("/", 1)[-1], x["visible"], x["hidden_reason"], x["judged_by"]) for x in judged
    )
    assert reasons == [
        ("", False, "comment", "static"),
        ("", False, "off-screen", "browser"),
        ("b", False, "removed-by-script", "browser"),
        ("js", True, None, "browser"),
    ]
    assert merged[(PARTNERS, "https://contrelatraite.org/")]["judged_by"] == "static"


def test_story_grouping_does_not_depend_on_arrival_order() -> None:
    from monitor.news.dedup import StoryIndex

    english = ("Lyon: pimping ring dismantled", "Six people arrested for pimping.")
    french = (
        "Lyon : un réseau de proxénétisme démantelé, douze victimes mises à l'abri",
        "Six personnes interpellées.",
    )
    update = (
        "Lyon : un réseau de proxénétisme démantelé, douze victimes mises à l'abri (mise à jour)",
        "Six personnes interpellées.",
    )
    index = StoryIndex(0.6)
    index.add("a", "a", *english)
    assert index.story_of([update]) is None  # the French title is not known yet
    index.add("b", "b", *update)
    index.add("a#1", "a", *french)  # learnt later in the night
    assert index.story_of([update], exclude="b") == "a"
    index.relabel("b", "a")
    assert index.story_of([update]) == "a"
