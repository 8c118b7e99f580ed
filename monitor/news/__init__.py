"""Veille d'actualité: the news sources (`sources`), the night's harvest into the store
(`harvest`), stories grouped from near-identical articles (`dedup`) and the published news for the
Collectif's site (`export`)."""
