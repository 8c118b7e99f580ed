"""A table's configured facets computed in one pass over its rows: facet type `single_pass`.

Datasette computes each facet with its own query over the filtered rows. On the stories table's
search at 1,000,000 articles (a search matching 14,620 of 300,000 stories) each of the five queries
looked every matching story up again: ~200 ms of the page's ~300. Declared in metadata.yml as
`{single_pass: COLUMN}` or `{single_pass: {array: COLUMN}}`, the facets of a table are computed by
one query that reads the filtered rows once (a materialized CTE holding only the faceted columns)
and groups it once per facet. The results are then built by Datasette's own
ColumnFacet and ArrayFacet code, handed the rows this query found: same values, counts, order, labels
and links as the separate queries. The query may take `facet_time_limit_ms` per facet it carries (the
time the separate queries had between them); past that, every facet it carried is listed as timed out
(« Ces facettes ont pris trop de temps : … » above the table), as Datasette lists one.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from datasette.database import QueryInterrupted, Results
from datasette.facets import ArrayFacet, ColumnFacet, Facet
from datasette.utils import escape_sqlite


def faceted_columns(facets: list[tuple[str, str]]) -> list[str]:
    return list(dict.fromkeys(column for _, column in facets))


def single_pass_sql(inner: str, facets: list[tuple[str, str]], limit: int) -> str:
    """One query giving (facet, value, count) rows for `facets` — (kind, column) pairs, kind "column"
    or "array" — over the rows of `inner`, ordered as Datasette orders each facet, at most `limit` rows
    per facet. An array's value is counted once per row, as in Datasette's ArrayFacet: rows are first
    grouped by their array's text, each distinct text's values counted once, weighted by its rows."""
    columns = ", ".join(escape_sqlite(column) for column in faceted_columns(facets))
    parts = []
    for number, (kind, column) in enumerate(facets):
        col = escape_sqlite(column)
        if kind == "array":
            texts = f"select {col} as text, count(*) as rows from rows_ group by {col}"
            values = f"select distinct t.text, j.value as value, t.rows from ({texts}) t, json_each(t.text) j"
            parts.append(f"select {number} as facet, value, sum(rows) as count from ({values}) group by 2")
        else:
            parts.append(
                f"select {number} as facet, {col} as value, count(*) as count from rows_"
                f" where {col} is not null group by {col}"
            )
    return (
        f"with rows_ as materialized (select {columns} from ({inner})),\n"
        f"counts as ({' union all '.join(parts)})\n"
        "select facet, value, count from (select *, row_number() over"
        " (partition by facet order by count desc, value) as rank from counts)"
        f" where rank <= {limit} order by facet, rank"
    )


class _Answering:
    """Datasette, except that `execute` returns rows already found (for one built-in facet)."""

    def __init__(self, datasette: Any, results: Results) -> None:
        self._datasette = datasette
        self._results = results

    async def execute(self, *args: Any, **kwargs: Any) -> Results:
        return self._results

    def __getattr__(self, name: str) -> Any:
        return getattr(self._datasette, name)


class _Answered(Facet):
    """A built-in facet for one configuration, whose query the single pass has answered."""

    def __init__(self, outer: Facet, source_and_config: dict[str, Any], results: Results) -> None:
        super().__init__(
            _Answering(outer.ds, results),
            outer.request,
            outer.database,
            sql=outer.sql,
            table=outer.table,
            params=outer.params,
            metadata=outer.metadata,
            row_count=outer.row_count,
        )
        self._source_and_config = source_and_config

    def get_configs(self) -> list[dict[str, Any]]:
        return [self._source_and_config]


class _AnsweredColumn(_Answered, ColumnFacet):
    pass


class _AnsweredArray(_Answered, ArrayFacet):
    pass


def _kind_and_column(config: dict[str, Any]) -> tuple[str, str]:
    if "array" in config:
        return "array", config["array"]
    return "column", config.get("column") or config["simple"]


class SinglePassFacet(Facet):
    type = "single_pass"

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        configs = self.get_configs()
        if not configs:
            return [], []
        facets = [_kind_and_column(c["config"]) for c in configs]
        limit = self.get_facet_size() + 1
        database = self.ds.get_database(self.database)
        # The time the separate queries had between them: a facet is shown or said to time out no
        # sooner than before.
        time_limit = self.ds.setting("facet_time_limit_ms") * len(facets)
        try:
            # The desk may count the stories' facets from its copy in memory (story_memory.py).
            in_memory = getattr(database, "facet_rows", None)
            found = await in_memory(self.sql, self.params, facets, limit, time_limit) if in_memory else None
            if found is None:
                found = await self._single_pass(database, facets, limit, time_limit)
        except QueryInterrupted:
            return [], [column for _, column in facets]
        results: list[dict[str, Any]] = []
        for number, (source_and_config, (kind, column)) in enumerate(zip(configs, facets, strict=True)):
            rows = [row for row in found.rows if row["facet"] == number]
            config = {"source": source_and_config["source"], "config": {"simple": column}}
            answered = (_AnsweredArray if kind == "array" else _AnsweredColumn)(
                self, config, Results(rows, False, found.description)
            )
            results.extend((await answered.facet_results())[0])
        return results, []

    async def _single_pass(
        self, database: Any, facets: list[tuple[str, str]], limit: int, time_limit: int
    ) -> Results:
        """The facets' rows by the one query; the desk's database may read the faceted columns from a
        narrow copy of the table (the stories' `story_index`) and remember the answer while nothing is
        written."""
        narrow = getattr(database, "narrow_rows", None)
        inner = (narrow and narrow(self.sql, faceted_columns(facets))) or self.sql
        sql = single_pass_sql(inner, facets, limit)
        remembered = getattr(database, "execute_remembered", None)
        if remembered:
            return await remembered(sql, self.params, time_limit)
        return await database.execute(sql, self.params, truncate=False, custom_time_limit=time_limit)


@hookimpl
def register_facet_classes() -> list[type[Facet]]:
    return [SinglePassFacet]
