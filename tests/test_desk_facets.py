"""The stories table's facets, computed in one pass (plugins/veille_facets.py): the same counts, values,
order, labels and links as Datasette's own facet queries, from one query over the rows instead of five."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from datasette.tracer import capture_traces

from tests.test_triage import login, make_desk, run

BUILT_IN_FACETS = ["source_id", {"array": "topics"}, "kind", "lang", "week"]
PAGES = [
    "/veille/stories.json",
    "/veille/stories.json?_search=reseau",
    "/veille/stories.json?_search=reseau+lyon",
    "/veille/stories.json?_search=reseau&kind=justice",
    "/veille/stories.json?_search=reseau&topics__arraycontains=traite",
    "/veille/stories.json?_search=reseau&_facet_size=2",
    "/veille/stories.json?_search=absent",
    "/veille/stories.json?_search=reseau&_facet=relevant",
]


def add_stories(store: Any) -> None:
    """Forty stories over three sources, with missing values, repeated and empty topic arrays."""
    store.db["sources"].insert_all(
        [{"id": f"src-{n}", "name": f"Journal {n}", "kind": "feed"} for n in range(3)], pk="id"
    )
    topics = ['["traite", "travail_force"]', '["traite", "traite"]', "[]", None, '["prostitution"]']
    store.db["stories"].insert_all(
        {
            "id": f"t{n}",
            "title": f"Réseau démantelé {'à Lyon' if n % 3 == 0 else 'à Paris'} numéro {n}",
            "summary": "Une enquête.",
            "score": float(n % 7),
            "relevant": n % 2,
            "source_id": f"src-{n % 3}" if n % 5 else None,
            "kind": ["justice", "temoignage", None][n % 3],
            "lang": "fr" if n % 4 else "en",
            "week": f"2026-11-{2 + 7 * (n % 4):02d}",
            "topics": topics[n % len(topics)],
        }
        for n in range(40)
    )


def facets_and_count(datasette: Any, cookies: dict[str, str], page: str) -> Any:
    async def fetch() -> Any:
        data = (await datasette.client.get(page, cookies=cookies)).json()
        return data["filtered_table_rows_count"], data["facet_results"]

    return run(fetch())


def test_single_pass_facets_match_datasettes_own(tmp_path: Path) -> None:
    datasette, store = make_desk(tmp_path / "one")
    add_stories(store)
    built_in, _ = make_desk(tmp_path / "many")
    built_in._metadata_local = copy.deepcopy(built_in._metadata_local)
    built_in._metadata_local["databases"]["veille"]["tables"]["stories"]["facets"] = BUILT_IN_FACETS
    built_in.databases["veille"].path = str(tmp_path / "one" / "veille.db")  # the same rows
    cookies = run(login(datasette, "secretariat"))
    other_cookies = run(login(built_in, "secretariat"))
    for page in PAGES:
        ours = facets_and_count(datasette, cookies, page)
        theirs = facets_and_count(built_in, other_cookies, page)
        assert ours == theirs, page
    count, facets = facets_and_count(datasette, cookies, "/veille/stories.json?_search=reseau")
    assert count == 41 and set(facets) == {"source_id", "topics", "kind", "lang", "week"}
    assert [(v["value"], v["count"]) for v in facets["topics"]["results"]] == [
        ("traite", 16),  # counted once in a story whose array names it twice
        ("prostitution", 8),
        ("travail_force", 8),
    ]
    assert [(v["label"], v["count"]) for v in facets["source_id"]["results"]] == [
        ("Journal 0", 11),  # the source's name, as Datasette labels a foreign key
        ("Journal 1", 11),
        ("Journal 2", 10),
    ]
    _, asked = facets_and_count(datasette, cookies, "/veille/stories.json?_search=reseau&_facet=relevant")
    assert asked["relevant"]["type"] == "column"  # a facet asked for in the address still works


def test_the_five_facets_read_the_searched_stories_once(tmp_path: Path) -> None:
    datasette, store = make_desk(tmp_path)
    add_stories(store)
    cookies = run(login(datasette, "secretariat"))

    async def facet_queries() -> list[str]:
        traces: list[dict[str, Any]] = []
        with capture_traces(traces):
            response = await datasette.client.get("/veille/stories?_search=reseau", cookies=cookies)
        assert response.status_code == 200
        return [t["sql"] for t in traces if "stories_fts" in (t.get("sql") or "") and "group by" in t["sql"]]

    queries = run(facet_queries())
    assert len(queries) == 1, queries
    assert "materialized" in queries[0]
