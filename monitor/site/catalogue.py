"""Every finding the site audit can make, as data: its code, theme, severity, French label, why it
matters and how to fix it. Reports, the desk page and the tests read this table; the checks only
name a code."""

from __future__ import annotations

from dataclasses import dataclass

FIX, IMPROVE, INFO = "à corriger", "à améliorer", "pour information"
SEVERITIES = (FIX, IMPROVE, INFO)
THEMES = ("Accès et indexation", "Contenu", "Partage et données structurées", "Liens", "Fraîcheur")


@dataclass(frozen=True)
class Kind:
    code: str
    theme: str
    severity: str
    label: str
    why: str
    fix: str


def _kinds(theme: str, *rows: tuple[str, str, str, str, str]) -> list[Kind]:
    return [Kind(code, theme, severity, label, why, fix) for code, severity, label, why, fix in rows]


KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in [
        *_kinds(
            THEMES[0],
            ("page_error", FIX, "Page en erreur",
             "Un visiteur ou un moteur de recherche qui arrive sur cette adresse ne trouve rien.",
             "Rétablir la page, ou rediriger (301) son adresse vers la page qui la remplace."),
            ("redirect_chain", IMPROVE, "Redirections en chaîne",
             "Chaque redirection ralentit la visite et les moteurs peuvent abandonner une longue chaîne.",
             "Faire pointer la première adresse directement vers la destination finale."),
            ("redirect_loop", FIX, "Redirections en boucle",
             "La page ne s'affiche jamais : le navigateur tourne en rond puis abandonne.",
             "Corriger les règles de redirection du site pour que la chaîne aboutisse à une page."),
            ("noindex", FIX, "Page exclue des moteurs de recherche (noindex)",
             "La page demande aux moteurs de ne pas l'indexer : elle n'apparaîtra dans aucun résultat.",
             "Retirer « noindex » (balise meta ou en-tête X-Robots-Tag) si la page doit être trouvée."),
            ("robots_blocked", IMPROVE, "Page bloquée par robots.txt",
             "Les moteurs de recherche n'ont pas le droit de lire cette page liée depuis le site.",
             "Vérifier la règle Disallow de robots.txt ; la retirer si la page doit être trouvée."),
            ("robots_missing", INFO, "Fichier robots.txt absent",
             "Sans robots.txt, les moteurs lisent tout, mais ne trouvent pas l'adresse du sitemap.",
             "Créer /robots.txt avec au moins une ligne « Sitemap: https://…/sitemap.xml »."),
            ("robots_blocks_all", FIX, "robots.txt interdit tout le site",
             "« Disallow: / » pour tous les robots : le site disparaît des moteurs de recherche.",
             "Retirer la ligne « Disallow: / » de robots.txt."),
            ("robots_no_sitemap", INFO, "robots.txt n'indique pas le sitemap",
             "Les moteurs trouvent plus vite toutes les pages quand robots.txt donne l'adresse du sitemap.",
             "Ajouter « Sitemap: https://…/sitemap.xml » à robots.txt."),
            ("sitemap_missing", IMPROVE, "Pas de sitemap",
             "Le sitemap liste les pages du site pour les moteurs ; sans lui, des pages sont oubliées.",
             "Activer le sitemap du gestionnaire de site (une extension) et l'annoncer dans robots.txt."),
            ("sitemap_too_large", IMPROVE, "Sitemap trop grand : audit limité",
             "Veille lit au plus 50 sitemaps et 50 000 entrées par audit ; le reste n'a pas été vérifié.",
             "Réduire le sitemap aux pages publiques utiles, ou le découper en moins de fichiers."),
            ("sitemap_error", FIX, "Sitemap illisible",
             "Les moteurs ne peuvent pas lire la liste des pages du site.",
             "Ouvrir le sitemap dans un navigateur, corriger l'erreur (souvent une extension du site)."),
            ("sitemap_entry_fails", FIX, "Page du sitemap en erreur",
             "Le sitemap annonce aux moteurs une adresse qui ne répond pas.",
             "Retirer l'adresse du sitemap ou rétablir la page."),
            ("sitemap_entry_redirects", IMPROVE, "Page du sitemap redirigée",
             "Le sitemap doit donner les adresses finales des pages, pas des redirections.",
             "Remplacer dans le sitemap l'adresse par celle de destination."),
            ("orphan_page", IMPROVE, "Page orpheline (dans le sitemap, liée de nulle part)",
             "Aucune page du site n'y mène : les visiteurs ne la trouvent pas en naviguant.",
             "Ajouter un lien vers cette page depuis une rubrique ou un menu, ou la retirer du sitemap."),
            ("not_in_sitemap", INFO, "Page absente du sitemap",
             "La page est liée mais le sitemap ne l'annonce pas aux moteurs.",
             "Vérifier les réglages du sitemap (types de pages inclus)."),
            ("canonical_missing", INFO, "Pas d'adresse canonique",
             "L'adresse canonique dit aux moteurs quelle est l'adresse de référence d'une page.",
             "Ajouter <link rel=\"canonical\" href=\"…\"> (souvent un réglage de l'extension SEO)."),
            ("canonical_elsewhere", IMPROVE, "Adresse canonique vers une autre page",
             "La page dit aux moteurs que la vraie page est ailleurs : elle ne sera pas indexée elle-même.",
             "Vérifier que c'est voulu ; sinon faire pointer la canonique vers la page elle-même."),
            ("canonical_broken", FIX, "Adresse canonique en erreur ou redirigée",
             "La page désigne comme référence une adresse qui ne répond pas ou qui redirige.",
             "Faire pointer la canonique vers l'adresse finale de la page."),
            ("deep_page", IMPROVE, "Page trop loin de l'accueil",
             "Une page à plus de quelques clics de l'accueil est peu visitée et moins bien classée.",
             "Ajouter un lien depuis l'accueil, un menu ou une rubrique proche."),
        ),
        *_kinds(
            THEMES[1],
            ("title_missing", FIX, "Titre de page absent",
             "Le titre est le texte cliquable dans les résultats de recherche et l'onglet du navigateur.",
             "Donner à la page un titre qui dit son sujet."),
            ("title_duplicate", IMPROVE, "Titre identique sur plusieurs pages",
             "Les moteurs et les visiteurs ne distinguent pas ces pages dans les résultats.",
             "Donner à chaque page un titre qui lui est propre."),
            ("title_short", IMPROVE, "Titre trop court",
             "Un titre de quelques lettres ne dit pas de quoi parle la page.",
             "Écrire un titre plus explicite (sujet de la page, puis nom du Collectif)."),
            ("title_long", IMPROVE, "Titre trop long",
             "Les moteurs coupent les titres trop longs dans leurs résultats.",
             "Raccourcir le titre en gardant le sujet au début."),
            ("description_missing", IMPROVE, "Description absente",
             "Sans description, le moteur choisit lui-même un extrait, souvent mal venu.",
             "Écrire une phrase de résumé dans la description de la page (extension SEO)."),
            ("description_duplicate", IMPROVE, "Description identique sur plusieurs pages",
             "Des pages différentes présentées avec le même résumé se confondent dans les résultats.",
             "Écrire une description propre à chaque page."),
            ("description_long", INFO, "Description trop longue",
             "Les moteurs coupent les descriptions trop longues.",
             "Raccourcir la description à une ou deux phrases."),
            ("h1_missing", IMPROVE, "Pas de titre principal (h1)",
             "Le titre principal structure la page pour les lecteurs d'écran et les moteurs.",
             "Mettre le titre de la page en « Titre 1 » dans l'éditeur."),
            ("h1_multiple", INFO, "Plusieurs titres principaux (h1)",
             "Plusieurs titres de premier niveau brouillent la structure de la page.",
             "Garder un seul « Titre 1 » et passer les autres en « Titre 2 »."),
            ("lang_missing", IMPROVE, "Langue de la page non déclarée",
             "Les lecteurs d'écran lisent alors le français avec une mauvaise prononciation.",
             "Déclarer la langue (<html lang=\"fr\">) dans le thème du site."),
            ("viewport_missing", FIX, "Page non adaptée aux téléphones",
             "Sans balise viewport, la page s'affiche en tout petit sur un téléphone.",
             "Ajouter <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"> au thème."),
            ("images_without_alt", IMPROVE, "Images sans texte alternatif",
             "Les personnes aveugles n'ont aucune idée de ce que montre l'image.",
             "Renseigner le « texte alternatif » de chaque image (vide pour une image décorative)."),
            ("thin_page", INFO, "Page très courte",
             "Une page avec très peu de texte apporte peu aux visiteurs et aux moteurs.",
             "Compléter la page, ou la regrouper avec une autre."),
            ("mixed_content", FIX, "Contenu non sécurisé (http) dans une page https",
             "Les navigateurs bloquent ces éléments ou affichent la page comme non sécurisée.",
             "Remplacer http:// par https:// dans l'adresse des images et scripts concernés."),
            ("heavy_page", IMPROVE, "Page lourde",
             "Une page lourde est lente à charger, surtout sur un téléphone.",
             "Réduire la taille des images (format web, dimensions adaptées)."),
            ("slow_page", IMPROVE, "Page lente à répondre",
             "Les visiteurs abandonnent une page qui tarde ; les moteurs la classent moins bien.",
             "Voir avec l'hébergeur : cache de pages, extensions lourdes."),
        ),
        *_kinds(
            THEMES[2],
            ("open_graph_missing", IMPROVE, "Aperçu de partage incomplet (Open Graph)",
             "Partagée sur les réseaux sociaux, la page s'affiche sans titre, image ou résumé choisis.",
             "Renseigner titre, description et image de partage (og:title, og:description, og:image)."),
            ("twitter_card_missing", INFO, "Pas de carte de partage Twitter/X",
             "Sans « twitter:card », le partage sur X montre un aperçu réduit.",
             "Ajouter <meta name=\"twitter:card\" content=\"summary_large_image\"> (extension SEO)."),
            ("organization_missing", IMPROVE, "Le Collectif n'est pas décrit pour les moteurs (JSON-LD)",
             "Les données structurées font apparaître nom, logo et réseaux du Collectif dans les résultats.",
             "Ajouter sur l'accueil un bloc JSON-LD de type NGO avec name, logo et sameAs."),
            ("organization_incomplete", IMPROVE, "Description du Collectif incomplète (JSON-LD)",
             "Il manque le nom, le logo ou les liens vers les réseaux (sameAs) du Collectif.",
             "Compléter le bloc JSON-LD de l'accueil avec les champs manquants."),
            ("jsonld_invalid", FIX, "Données structurées illisibles (JSON-LD)",
             "Un bloc JSON-LD mal écrit est ignoré par les moteurs.",
             "Corriger le bloc (virgules, guillemets) ; le tester avec l'outil de test de Google."),
        ),
        *_kinds(
            THEMES[3],
            ("broken_internal_link", FIX, "Lien interne cassé",
             "Un visiteur qui clique tombe sur une erreur.",
             "Corriger ou retirer le lien dans les pages indiquées."),
            ("malformed_link", FIX, "Lien à l'adresse mal formée",
             "L'adresse du lien est illisible (crochets, port, caractères) : le lien ne mène nulle part.",
             "Corriger l'adresse du lien dans la page indiquée."),
            ("broken_external_link", FIX, "Lien externe cassé",
             "Le lien mène à une page qui n'existe plus.",
             "Mettre à jour l'adresse ou retirer le lien dans les pages indiquées."),
            ("external_host_down", IMPROVE, "Site externe injoignable",
             "Le site lié ne répond pas du tout (peut-être fermé, ou en panne passagère).",
             "Vérifier le site ; s'il a fermé, retirer ses liens des pages indiquées."),
            ("external_link_unchecked", INFO, "Lien externe non vérifié",
             "Veille n'a pas vérifié ce lien (adresse interne ou interdite aux robots).",
             "Vérifier le lien à la main."),
            ("member_not_linked", FIX, "Association membre sans lien depuis le site",
             "Le Collectif demande aux membres un lien vers lui ; la réciprocité compte aussi pour eux.",
             "Ajouter l'association à la page des membres ou des partenaires, avec un lien vers son site."),
            ("member_link_dead", FIX, "Lien vers une association membre en erreur",
             "Le lien vers le site de l'association ne mène nulle part.",
             "Mettre à jour l'adresse du site de l'association."),
        ),
        *_kinds(
            THEMES[4],
            ("home_news_stale", FIX, "Actualités de l'accueil anciennes",
             "Le Collectif veut un accueil vivant ; des actualités anciennes le font paraître abandonné.",
             "Publier les actualités choisies par la veille, ou afficher son flux sur l'accueil."),
            ("home_news_undated", INFO, "Actualités de l'accueil sans date lisible",
             "Veille ne trouve aucune date (<time datetime>) sur l'accueil pour juger de sa fraîcheur.",
             "Afficher la date des actualités avec la balise <time datetime=\"AAAA-MM-JJ\">."),
            ("desk_news_not_shown", IMPROVE, "Actualités publiées par la veille absentes de l'accueil",
             "Les histoires choisies et publiées par le roulement n'apparaissent pas sur l'accueil.",
             "Brancher le flux Atom des actualités publiées sur la page d'accueil."),
            ("stale_page", INFO, "Page non mise à jour depuis longtemps",
             "Une information ancienne (contacts, chiffres, événements) peut être devenue fausse.",
             "Relire la page ; la mettre à jour ou la dater clairement."),
        ),
    ]
}  # fmt: skip


def severity_rank(code: str) -> int:
    return SEVERITIES.index(KINDS[code].severity)
