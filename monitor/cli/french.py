"""Click's own words in French: « Utilisation : », « Options », « Erreur : … », « Commande inconnue … ».

Click marks its strings with gettext (`from gettext import gettext as _` in each of its modules) but
offers no place to hand it a catalogue: the global gettext would look for a compiled `.mo` file and
follow the server's locale (often `C` under cron), while everything a Veille user reads is French.
So the catalogue is a dict here, and `install` points the `_` and `ngettext` of click's loaded modules
at it. It runs when this module is imported, before any option is declared: click translates some
words at that moment (the metavar of a `click.Path`, the help of `--version`).

Only strings a user of `veille` can meet are here; click's messages to programmers (a badly declared
option) and those of modules loaded on demand (shell completion, the editor) stay English.
"""

from __future__ import annotations

import gettext
import sys
from typing import Any

import click

SINGULAR: dict[str, str] = {
    "Usage:": "Utilisation :",
    # A heading is written « {heading}: »: the trailing space gives the French « Options : ».
    "Options": "Options ",
    "Commands": "Commandes ",
    "Positional arguments": "Arguments ",
    "Show this message and exit.": "Afficher cette aide et quitter.",
    "Show the version and exit.": "Afficher la version et quitter.",
    "%(prog)s, version %(version)s": "%(prog)s, version %(version)s",
    "env var: {var}": "variable d'environnement : {var}",
    "default: {default}": "par défaut : {default}",
    "required": "obligatoire",
    "(dynamic)": "(calculée)",
    "deprecated": "obsolète",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}": (
        "Attention : la commande « {name} » est obsolète.{extra_message}"
    ),
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}": (
        "Attention : « {name} » est obsolète.{extra_message}"
    ),
    "Aborted!": "Abandon.",
    "Error: {message}": "Erreur : {message}",
    "Try '{command} {option}' for help.": "Voir l'aide : « {command} {option} ».",
    "Missing command.": "il manque la commande.",
    "No such command {name!r}.": "la commande « {name} » n'existe pas.",
    "No such option {name!r}.": "l'option « {name} » n'existe pas.",
    "Missing argument": "il manque l'argument",
    "Missing option": "il manque l'option",
    "Missing parameter": "il manque le paramètre",
    "Missing {param_type}": "il manque le paramètre",
    "Missing parameter: {param_name}": "il manque le paramètre {param_name}",
    "Invalid value: {message}": "valeur invalide : {message}",
    "Invalid value for {param_hint}: {message}": "valeur invalide pour {param_hint} : {message}",
    "Value must be an iterable.": "La valeur doit être une liste.",
    "Could not open file {filename!r}: {message}": (
        "Impossible d'ouvrir le fichier « {filename} » : {message}"
    ),
    "unknown error": "erreur inconnue",
    "Option {name!r} does not take a value.": "L'option « {name} » ne prend pas de valeur.",
    "Argument {name!r} takes {nargs} values.": "L'argument « {name} » prend {nargs} valeurs.",
    "Invalid start character for option ({option})": "Caractère initial invalide pour une option ({option})",
    "Choose from:\n\t{choices}": "Valeurs possibles :\n\t{choices}",
    "{value!r} is not a valid {number_type}.": "« {value} » n'est pas un nombre valide.",
    "{value} is not in the range {range}.": "{value} n'est pas dans l'intervalle {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "« {value} » n'est ni vrai ni faux. Valeurs reconnues : {states}"
    ),
    "{value!r} is not a valid UUID.": "« {value} » n'est pas un UUID valide.",
    # A path's kind: its metavar (FICHIER); the messages about a path leave it out (click capitalises it).
    "file": "fichier",
    "directory": "dossier",
    "path": "chemin",
    "{name} {filename!r} does not exist.": "« {filename} » n'existe pas.",
    "{name} {filename!r} is a file.": "« {filename} » est un fichier.",
    "{name} {filename!r} is a directory.": "« {filename} » est un dossier.",
    "{name} {filename!r} is not readable.": "« {filename} » n'est pas lisible.",
    "{name} {filename!r} is not writable.": "« {filename} » n'est pas modifiable.",
    "{name} {filename!r} is not executable.": "« {filename} » n'est pas exécutable.",
    "Repeat for confirmation": "Répétez pour confirmer",
    "Error: The two entered values do not match.": "Erreur : les deux saisies diffèrent.",
    "Error: invalid input": "Erreur : saisie invalide",
    "Do you want to continue?": "Continuer ?",
    "Confirm the action without prompting.": "Confirmer sans poser la question.",
    "Press any key to continue...": "Appuyez sur une touche pour continuer…",
}

# msgid of the singular → (French singular, French plural); French uses the singular for 0 and 1.
PLURAL: dict[str, tuple[str, str]] = {
    "Got unexpected extra argument ({args})": ("Argument en trop ({args})", "Arguments en trop ({args})"),
    "Did you mean {possibility}?": (
        "Vouliez-vous dire {possibility} ?",
        "(Vouliez-vous dire l'un de : {possibilities} ?)",
    ),
    "Option {name!r} requires an argument.": (
        "L'option « {name} » demande une valeur.",
        "L'option « {name} » demande {nargs} valeurs.",
    ),
    "{value!r} is not {choice}.": (
        "« {value} » n'est pas possible : {choice} seulement.",
        "« {value} » n'est pas l'une des valeurs possibles : {choices}.",
    ),
    "{value!r} does not match the format {format}.": (
        "« {value} » ne suit pas le format {format}.",
        "« {value} » ne suit aucun des formats {formats}.",
    ),
    "Takes {nargs} values but 1 was given.": (
        "Attend {nargs} valeurs, {len} donnée.",
        "Attend {nargs} valeurs, {len} données.",
    ),
    "{len_type} values are required, but {len_value} was given.": (
        "{len_type} valeurs attendues, {len_value} donnée.",
        "{len_type} valeurs attendues, {len_value} données.",
    ),
}


class French(gettext.NullTranslations):
    """The catalogue above as a gettext translation; an unknown string is returned as it is."""

    def gettext(self, message: str) -> str:
        return SINGULAR.get(message, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        if msgid1 in PLURAL:
            return PLURAL[msgid1][n > 1]
        return msgid1 if n == 1 else msgid2


def install() -> None:
    """Point the gettext functions of click's loaded modules at the French catalogue (idempotent)."""
    french = French()
    for name, module in list(sys.modules.items()):
        if name == "click" or name.startswith("click."):
            if getattr(module, "_", None) is gettext.gettext:
                module._ = french.gettext  # type: ignore[attr-defined]
            if getattr(module, "ngettext", None) is gettext.ngettext:
                module.ngettext = french.ngettext  # type: ignore[attr-defined]


class Group(click.Group):
    """A group whose help reads « COMMANDE » and whose subgroups are French groups too."""

    group_class = type

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "COMMANDE [ARGUMENTS]...")
        super().__init__(*args, **kwargs)


install()
