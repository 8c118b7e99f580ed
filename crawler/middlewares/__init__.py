"""Downloader middlewares: where a request may go, and when a failed one is tried again."""
