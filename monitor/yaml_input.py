"""Reading the Collectif's YAML files safely.

The files are edited by hand and may be copied from anywhere, so the reader refuses what YAML allows
but nobody means: aliases (`*name`, the way an "alias bomb" expands a small file into gigabytes),
duplicate keys (YAML keeps the last one silently) and documents over `MAX_BYTES`. Errors carry the
line, for messages that name it.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_BYTES = 1024 * 1024


class YamlInputError(ValueError):
    """A YAML text that cannot be read; `line` is 1-based, or None."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader without aliases and without duplicate keys."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise YamlInputError("les alias YAML (*nom) ne sont pas acceptés", event.start_mark.line + 1)
        return super().compose_node(parent, index)  # type: ignore[misc]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        lines: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
            line = key_node.start_mark.line + 1
            if key in lines:
                raise YamlInputError(f"clé en double : {key!r} (déjà à la ligne {lines[key]})", line)
            lines[key] = line
        return super().construct_mapping(node, deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:  # type: ignore[override]
        try:
            return super().construct_yaml_timestamp(node)  # type: ignore[no-untyped-call]
        except ValueError:
            # `2026-13-45` looks like a date to YAML and makes the standard library raise.
            raise YamlInputError(
                f"date invalide {node.value!r} (attendu : AAAA-MM-JJ)", node.start_mark.line + 1
            ) from None


StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", StrictLoader.construct_yaml_timestamp)


def read_yaml(text: str) -> tuple[Any, yaml.Node | None]:
    """The data of a YAML document and its node tree (for the lines of values)."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise YamlInputError(f"fichier trop grand (plus de {MAX_BYTES // 1024} Kio)")
    loader = StrictLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise YamlInputError(f"YAML illisible: {getattr(exc, 'problem', None) or exc}", line) from None
    finally:
        loader.dispose()
    return data, node


def load_yaml(text: str) -> Any:
    """The data of a YAML document, read strictly (see the module docstring)."""
    return read_yaml(text)[0]
