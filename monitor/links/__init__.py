"""Référencement: the backlink check of member sites — the crawl and its browser confirmation
(`run`, `confirmation`), the verdicts (`verdict`), what changed night after night (`history`) and
the secretariat's report (`report`)."""
