"""The `veille` command speaks French at every door: every command's help, click's own words and
its errors, whatever the server's locale."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.cli.french import PLURAL, SINGULAR, French

# Click's own English words as click 8.5 writes them in help and errors (metavars included).
CLICK_ENGLISH = [
    "Usage:", "Options:", "Commands:", "Positional arguments", "Show this message and exit.",
    "Show the version and exit.", "[default:", "[required]", "env var:", "Error:", "Try '",
    "for help.", "Aborted!", "No such command", "No such option", "Did you mean", "Missing option",
    "Missing argument", "Invalid value", "is not one of", "is not a valid", "does not exist",
    "is a file", "is a directory", "is not in the range", "does not match the format",
    "Repeat for confirmation", "do not match", " TEXT", " INTEGER", " FLOAT", " FILE", " DIRECTORY",
    " PATH", "COMMAND ", "[ARGS]",
]  # fmt: skip


def every_command(
    group: click.Group, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], click.Command]]:
    found: list[tuple[tuple[str, ...], click.Command]] = [(path, group)]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += every_command(command, (*path, name))
        else:
            found.append(((*path, name), command))
    return found


def veille(*args: str, given: str | None = None) -> click.testing.Result:
    return CliRunner().invoke(main, list(args), prog_name="veille", input=given)


def english_in(text: str) -> list[str]:
    return [words for words in CLICK_ENGLISH if words in text]


@pytest.mark.parametrize(
    ("path", "command"),
    every_command(main),
    ids=lambda v: " ".join(("veille", *v)) if isinstance(v, tuple) else "",
)
def test_every_help_is_french_and_complete(path: tuple[str, ...], command: click.Command) -> None:
    result = veille(*path, "--help")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Utilisation : {' '.join(('veille', *path))} ")
    assert "Options :" in result.output and "Afficher cette aide et quitter." in result.output
    assert english_in(result.output) == []
    assert command.help, "a command without help"
    missing = [p.name for p in command.params if isinstance(p, click.Option) and not p.help]
    assert missing == [], f"options without help: {missing}"


def test_the_version_says_so_in_french() -> None:
    assert "--version  Afficher la version et quitter." in veille("--help").output


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["nope"], ["la commande « nope » n'existe pas", "Voir l'aide : « veille --help »."]),
        (["link"], ["la commande « link » n'existe pas. Vouliez-vous dire 'links' ?"]),
        (["rota", "--wek", "3"], ["l'option « --wek » n'existe pas"]),
        (["links", "report", "--format", "pdf"], ["valeur invalide pour '--format'", "« pdf »", "'html', 'md', 'csv'"]),
        (["rota", "--weeks", "abc"], ["valeur invalide pour '--weeks' : « abc » n'est pas un nombre valide."]),
        (["rota", "--date", "03/12/2026"], ["'--date'", "« 03/12/2026 » ne suit pas le format"]),
        (["backup", "--keep", "0"], ["'--keep' : 0 n'est pas dans l'intervalle 1<=x<=1000."]),
        (["backup", "--restore", "/nowhere/veille.db"], ["'--restore' : « /nowhere/veille.db » n'existe pas."]),
        (["serve", "--config", __file__], [f"'--config' : « {__file__} » est un fichier."]),
        (["links", "check"], ["il manque l'argument 'URL...'."]),
        (["relevance", "corpus", __file__], ["il manque l'option '--out'."]),
        (["users", "add", "x"], ["Mot de passe : ", "Abandon."]),
    ],
)  # fmt: skip
def test_errors_are_french_and_name_the_value(args: list[str], said: list[str]) -> None:
    result = veille(*args, given="")
    assert result.exit_code in (1, 2)
    for words in said:
        assert words in result.output
    assert english_in(result.output) == []
    if result.exit_code == 2:
        assert result.output.startswith("Utilisation : veille ") and "\nErreur : " in result.output


def test_a_password_typed_twice_differently_is_refused_in_french() -> None:
    result = veille("users", "add", "x", given="un\ndeux\n")
    assert "Confirmer : " in result.output and "Erreur : les deux saisies diffèrent." in result.output
    assert english_in(result.output) == []


def test_french_whatever_the_locale_of_the_server() -> None:
    """Cron often runs with LANG=C: the catalogue does not depend on it."""
    env = {**os.environ, "LANG": "C", "LC_ALL": "C", "LANGUAGE": "en"}
    done = subprocess.run(
        [sys.executable, "-m", "monitor", "nope"], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 2
    assert "Erreur : la commande « nope » n'existe pas." in done.stderr and "Error" not in done.stderr


def test_french_plurals_and_unknown_strings() -> None:
    french = French()
    assert french.ngettext("{value!r} is not {choice}.", "{value!r} is not one of {choices}.", 1).startswith(
        "« "
    )
    two = french.ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", 2)
    assert two == "(Vouliez-vous dire l'un de : {possibilities} ?)"
    given = ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given.")
    assert french.ngettext(*given, 0) == "Attend {nargs} valeurs, {len} donnée."  # French: 0 is singular
    assert french.ngettext("one {n}", "many {n}", 0) == "many {n}"  # unknown: click's English, untouched
    assert french.gettext("Something click adds later") == "Something click adds later"


def test_every_string_of_the_catalogue_is_one_click_writes() -> None:
    """A click upgrade that rewords a message shows here, not as English on the server."""
    literals = {
        node.value
        for source in Path(click.__file__).parent.glob("*.py")
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert sorted(set(SINGULAR) - literals) == []
    assert sorted(set(PLURAL) - literals) == []
