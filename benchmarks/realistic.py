"""A night of news shaped like a real one, for the benchmarks: summaries of 30–60 words (HTML in some),
a third of the entries relevant and many of the others traps (retraite, traité, maltraitance,
traiteur, trafic de stupéfiants), bursts of near-identical titles (the same story from many feeds),
one feed in five in English, links carrying tracking parameters in half the feeds (`?xtor=RSS-…`,
`utm_…`, `at_medium`…, as French and English outlets send them), and article pages of 5–50 kB with navigation, related links, scripts
and a footer around the text. Deterministic: the same feed and index give the same entry."""

from __future__ import annotations

import random
from html import escape

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
ORDINARY_FR = [
    ("Réforme des retraites : nouvelle journée de mobilisation à {city}",
     "Les syndicats appellent à manifester contre le recul de l'âge de départ à la retraite ; {n} cortèges sont"
     " attendus, et la préfecture prévoit des perturbations dans les transports en commun de {city}."),
    ("Le traité de coopération signé à {city} entre les deux régions",
     "Le texte prévoit {n} projets communs dans les transports, la culture et la recherche ; les élus saluent"
     " un traité qui renforce les échanges entre universités et entreprises de la région de {city}."),
    ("Maltraitance animale : une ferme fermée près de {city}",
     "Les inspecteurs vétérinaires ont constaté l'état de santé alarmant de {n} bovins ; l'éleveur devra"
     " répondre de maltraitance devant le tribunal, et les animaux ont été confiés à un refuge."),
    ("Un traiteur de {city} récompensé au concours régional",
     "Le chef et son équipe ont présenté un menu de {n} plats à base de produits locaux ; le jury a salué"
     " la finesse des desserts et la qualité du service lors de la soirée de remise des prix."),
    ("Trafic de stupéfiants : {n} interpellations dans un quartier de {city}",
     "Les policiers ont saisi plusieurs kilos de résine de cannabis et des armes ; le point de deal démantelé"
     " générait selon les enquêteurs plusieurs milliers d'euros par jour dans le quartier."),
    ("{city} : le conseil municipal adopte le budget de l'année",
     "Le budget, voté par {n} voix, prévoit de nouveaux investissements dans les écoles, la rénovation"
     " énergétique des bâtiments publics et l'entretien des voiries de {city} et de ses quartiers."),
    ("Au salon de l'agriculture de {city}, la traite des vaches fascine les enfants",
     "Les éleveurs présentent leurs robots de traite et expliquent le quotidien d'une exploitation laitière ;"
     " {n} classes de la région de {city} ont visité les stands depuis l'ouverture du salon."),
    ("Football : {city} s'impose {n} à 1 et remonte au classement",
     "Porté par son attaquant, auteur d'un doublé, le club de {city} a dominé la rencontre et remonte à la"
     " cinquième place ; l'entraîneur salue l'état d'esprit de ses joueurs après une série difficile."),
]  # fmt: skip
ORDINARY_EN = [
    ("Stock markets close higher as tech shares rally",
     "Investors welcomed better than expected earnings from {n} large companies, while bond yields eased and"
     " oil prices fell slightly after a week of volatility on the main markets."),
    ("Heavy rain expected across the north this weekend",
     "Forecasters warn of up to {n} millimetres of rain in some areas, with possible flooding near rivers and"
     " disruption to rail services; residents are advised to check travel updates."),
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
    pool = (
        (RELEVANT_EN if relevant else ORDINARY_EN) if english else (RELEVANT_FR if relevant else ORDINARY_FR)
    )
    title, lead = rnd.choice(pool)
    city, n = rnd.choice(CITIES), rnd.randint(2, 60)
    return (title.format(city=city, n=n) + f" ({feed}-{index})", _summary(lead.format(city=city, n=n), rnd, english),
            f"/a/{feed}/{index}.html")  # fmt: skip


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
    if rnd.random() < 0.33:
        return f"<p><b>{escape(text.split(' ', 1)[0])}</b> {escape(text.split(' ', 1)[1])}</p><p><a href='/x'>Lire la suite</a></p>"
    return text


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
