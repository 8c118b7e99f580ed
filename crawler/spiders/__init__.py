"""Veille's spiders: `backlinks` (links to the Collectif on member sites)."""
