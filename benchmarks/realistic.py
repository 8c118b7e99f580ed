"""A night of news shaped like a real one, for the benchmarks: real titles and summaries (the labelled
corpus's 2,573 stories, data/corpus/stories.jsonl, unchanged since it was joined: a real night's
vocabulary, which per-word caches, story grouping and the full-text index feel),
HTML in a third of the summaries, a third of the entries relevant and the others the corpus's traps
(retraite, traité, maltraitance, trafic de stupéfiants…), bursts of near-identical titles (the same
story from many feeds), one feed in five in English, links carrying tracking parameters in half the
feeds (`?xtor=RSS-…`, `utm_…`, `at_medium`…, as French and English outlets send them), and article
pages of 5–50 kB with navigation, related links, scripts and a footer around the text. Deterministic:
the same feed and index give the same entry."""

from __future__ import annotations

import json
import random
from functools import cache
from html import escape
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus"

CITIES = ["Lyon", "Lille", "Nantes", "Rennes", "Marseille", "Toulouse", "Bordeaux", "Nice", "Metz", "Dijon",
          "Grenoble", "Amiens", "Brest", "Tours", "Reims", "Limoges"]  # fmt: skip
RELEVANT_FR = [
    ("Proxénétisme : un réseau démantelé à {city}, {n} victimes mises à l'abri",
     "Les enquêteurs de l'office central ont interpellé {n} personnes soupçonnées d'avoir exploité des jeunes femmes"
     " recrutées à l'étranger, logées dans des appartements loués à {city} et contraintes de se prostituer."),
    ("Travail forcé dans les vignes près de {city} : {n} saisonniers libérés",
     "Privés de leurs passeports, payés quelques euros par jour et logés dans des conditions indignes, {n} ouvriers"
     " agricoles ont été libérés lors d'un contrôle de l'inspection du travail près de {city}."),
    ("Traite des êtres humains : le procès d'un réseau s'ouvre à {city}",
     "Devant le tribunal correctionnel de {city}, {n} prévenus répondent de traite des êtres humains en bande"
     " organisée ; les victimes, recrutées par de fausses promesses d'emploi, devaient rembourser une dette."),
    ("Mendicité forcée : {n} enfants exploités dans le métro de {city}",
     "Les enfants, âgés de huit à quatorze ans, étaient conduits chaque matin dans les stations et devaient"
     " remettre le soir l'argent récolté ; les adultes qui les contrôlaient ont été placés en garde à vue."),
    ("Esclavage moderne : une employée de maison libérée à {city}",
     "Pendant {n} mois, la jeune femme a travaillé jour et nuit sans salaire pour un couple qui avait confisqué"
     " ses papiers ; l'association qui l'accompagne a saisi la justice pour traite des êtres humains."),
]  # fmt: skip
RELEVANT_EN = [
    ("Human trafficking ring dismantled in {city}, {n} victims rescued",
     "Police arrested {n} suspects accused of trafficking young women into forced prostitution, after a long"
     " investigation that found victims whose passports had been confiscated and who were held in debt bondage."),
    ("Forced labour found in seafood supply chains, report says",
     "The report documents {n} cases of forced labour on fishing vessels, where workers recruited with false"
     " promises were unpaid for months, threatened and prevented from leaving the boats for long periods."),
]  # fmt: skip
FILLER = ("Selon nos informations, l'affaire a été révélée par un signalement. Les associations rappellent que"
          " les victimes peuvent être accompagnées et hébergées pendant la procédure.")  # fmt: skip
FILLER_EN = "According to officials, further details will be released in the coming days."


def entry(feed: int, index: int) -> tuple[str, str, str]:
    """(title, summary, article path) of one entry of one feed."""
    rnd = random.Random(feed * 100_003 + index)
    english = feed % 5 == 4
    if rnd.random() < 0.08:  # a burst: the same story, told by many feeds with small variations
        story = rnd.randrange(12)
        rnd = random.Random(story)
        title, lead = (RELEVANT_EN if english else RELEVANT_FR)[story % (2 if english else 5)]
        city, n = rnd.choice(CITIES), rnd.randint(3, 40)
        variant = random.Random(feed * 7 + index)
        title = title.format(city=city, n=n) + variant.choice(
            ["", " (mise à jour)", " - vidéo", "", " | AFP"]
        )
        return (
            title,
            _summary(lead.format(city=city, n=n), variant, english),
            f"/a/burst-{story}-{feed}-{index}.html",
        )
    relevant = rnd.random() < 0.30
    title, summary = rnd.choice(real_stories("en" if english else "fr", relevant))
    html = rnd.random() < 0.33
    return (title + f" ({feed}-{index})", _as_html(summary) if html else summary, f"/a/{feed}/{index}.html")


@cache
def real_stories(lang: str, relevant: bool) -> list[tuple[str, str]]:
    """(title, summary) of the labelled corpus's stories of one language and label, in a fixed order."""
    rows = [json.loads(line) for line in (CORPUS / "stories.jsonl").open(encoding="utf-8")]
    wanted = "relevant" if relevant else "irrelevant"
    return sorted(
        (r["title"], r["summary"] or "") for r in rows if r["lang"] == lang and r["label"] == wanted
    )


# Tracking parameters a feed appends to every link, as outlets do (Le Monde and 20 Minutes `xtor`, many
# `utm_` triples, the BBC `at_medium`/`at_campaign`); the other half of the feeds send plain links.
TRACKING = [
    "?xtor=RSS-{feed}",
    "?utm_source=rss&utm_medium=feed&utm_campaign=flux-{feed}",
    "?at_medium=RSS&at_campaign=rss",
    "?utm_source=RSS&xtor=RSS-{feed}",
]


def tracking(feed: int) -> str:
    """The query string feed `feed` appends to its links (empty for half the feeds)."""
    return "" if feed % 2 else TRACKING[feed // 2 % len(TRACKING)].format(feed=feed)


def _summary(lead: str, rnd: random.Random, english: bool) -> str:
    """30 to 60 words; one summary in three in HTML, as feeds send them."""
    words = (lead + " " + (FILLER_EN if english else FILLER)).split()
    text = " ".join(words[: rnd.randint(30, min(60, len(words)))])
    return _as_html(text) if rnd.random() < 0.33 else text


def _as_html(text: str) -> str:
    """A summary as feeds send it in HTML: a paragraph, its first word in bold, a « Lire la suite » link."""
    first, _, rest = text.partition(" ")
    return f"<p><b>{escape(first)}</b> {escape(rest)}</p><p><a href='/x'>Lire la suite</a></p>"


def article(feed: int, index: int, title: str, summary: str) -> bytes:
    """An article page of 5 to 50 kB: navigation, the article, related links, scripts, footer."""
    rnd = random.Random(feed * 31 + index)
    nav = "".join(f"<li><a href='/rubrique/{k}'>Rubrique {k}</a></li>" for k in range(rnd.randint(20, 60)))
    paragraphs = rnd.randint(4, 40)
    body = "".join(f"<p>{escape(summary if '<' not in summary else FILLER)} {FILLER} Paragraphe {p}.</p>"
                   for p in range(paragraphs))  # fmt: skip
    related = "".join(f"<li><a href='/a/{feed}/{index + k}.html'>Un autre article, numéro {k}</a></li>"
                      for k in range(rnd.randint(5, 30)))  # fmt: skip
    script = (
        "<script>window.dataLayer=window.dataLayer||[];" + "var x=1;" * rnd.randint(50, 800) + "</script>"
    )
    return (
        f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta property="article:published_time" content="2026-11-2{index % 9}T08:00:00+01:00">'
        f"<style>{'.c{color:#333}' * rnd.randint(20, 200)}</style>{script}</head><body>"
        f"<header><nav><ul>{nav}</ul></nav><div class='banner'>Abonnez-vous</div></header>"
        f"<main><article><h1>{escape(title)}</h1><p class='chapo'>{escape(summary) if '<' not in summary else ''}</p>"
        f"{body}</article><aside><h2>À lire aussi</h2><ul>{related}</ul></aside></main>"
        f"<footer><p>Mentions légales · Contact · Publicité</p>{nav}</footer></body></html>"
    ).encode()
