"""Turn an HTML body into text the way a French visitor's browser does.

A declared encoding (BOM, HTTP header, `<meta charset>`) wins. An undeclared body is UTF-8 when it
decodes as UTF-8, otherwise windows-1252: the WHATWG default for a French locale. Statistical guessing
(Scrapy's fallback) reads short French pages as Central European encodings.
"""

from __future__ import annotations

from w3lib.encoding import html_body_declared_encoding, html_to_unicode, http_content_type_encoding, read_bom

FRENCH_LOCALE_DEFAULT = "cp1252"


def decode_html(body: bytes, content_type: str | None) -> str:
    declared = (
        read_bom(body)[0]
        or http_content_type_encoding(content_type or "")
        or html_body_declared_encoding(body)
    )
    if not declared:
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            declared = FRENCH_LOCALE_DEFAULT
    return html_to_unicode(f"charset={declared}", body)[1]
