"""The technical words of the site audit, each with one plain line for a reader who is no webmaster.
`used` keeps the words a report actually shows, in the order of this list."""

from __future__ import annotations

from collections.abc import Iterable

GLOSSARY: dict[str, str] = {
    "robots.txt": "petit fichier à la racine du site qui dit aux moteurs ce qu'ils peuvent lire.",
    "sitemap": "liste des pages du site, fournie aux moteurs de recherche pour qu'ils n'en oublient aucune.",
    "noindex": "consigne cachée dans une page : « ne pas la montrer dans les résultats des moteurs ».",
    "canonique": "adresse « officielle » d'une page, quand plusieurs adresses mènent au même contenu.",
    "redirection": "une adresse qui renvoie automatiquement le visiteur vers une autre.",
    "texte alternatif": "description d'une image, lue aux personnes aveugles, affichée si l'image manque.",
    "https": "version sécurisée (chiffrée) d'une adresse web ; « http » seul ne l'est pas.",
    "Open Graph": "titre, texte et image donnés aux liens partagés sur les réseaux sociaux.",
    "JSON-LD": "description du Collectif écrite pour les moteurs de recherche (nom, logo, adresse).",
    "description": "court texte de présentation d'une page, souvent affiché sous son titre par les moteurs.",
}


def used(texts: Iterable[str]) -> list[tuple[str, str]]:
    """The glossary entries whose word appears (case-insensitively) in any of `texts`."""
    shown = " ".join(texts).lower()
    return [(word, line) for word, line in GLOSSARY.items() if word.lower() in shown]
