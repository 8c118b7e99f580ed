"""Scrapy extensions used by Veille's spiders."""
