"""Reading the Collectif's YAML files safely.

The files are edited by hand and may be copied from anywhere, so the reader refuses what YAML allows
but nobody means: aliases (`*name`, the way an "alias bomb" expands a small file into gigabytes),
duplicate keys (YAML keeps the last one silently) and documents over `MAX_BYTES`. Errors carry the
line, for messages that name it.

A document is parsed by libyaml (PyYAML's C parser, ten times faster: every command reads four files)
when PyYAML has it; one it finds wrong, or holding an alias, is read again by the pure-Python parser,
whose messages and lines the errors give.
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


class _StrictConstruction:
    """Construction without duplicate keys and with dates checked (both parsers share it)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        lines: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)  # type: ignore[attr-defined]
            line = key_node.start_mark.line + 1
            if key in lines:
                raise YamlInputError(f"clé en double : {key!r} (déjà à la ligne {lines[key]})", line)
            lines[key] = line
        return super().construct_mapping(node, deep)  # type: ignore[misc, no-any-return]

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)  # type: ignore[misc]
        except ValueError:
            # `2026-13-45` looks like a date to YAML and makes the standard library raise.
            raise YamlInputError(
                f"date invalide {node.value!r} (attendu : AAAA-MM-JJ)", node.start_mark.line + 1
            ) from None


class StrictLoader(_StrictConstruction, yaml.SafeLoader):
    """PyYAML's safe loader without aliases and without duplicate keys."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise YamlInputError("les alias YAML (*nom) ne sont pas acceptés", event.start_mark.line + 1)
        return super().compose_node(parent, index)  # type: ignore[misc]


# libyaml composes in C: aliases are found afterwards, as nodes reached twice (`_shares_nodes`).
FastLoader: type | None = (
    type("FastStrictLoader", (_StrictConstruction, yaml.CSafeLoader), {})
    if getattr(yaml, "__with_libyaml__", False)
    else None
)


def _shares_nodes(root: yaml.Node) -> bool:
    """Whether a node is reached twice from the root: an alias (which libyaml keeps as a shared node)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack += (key, value)
    return False


for _loader in (StrictLoader, FastLoader):
    if _loader is not None:
        _loader.add_constructor("tag:yaml.org,2002:timestamp", _loader.construct_yaml_timestamp)


def read_yaml(text: str) -> tuple[Any, yaml.Node | None]:
    """The data of a YAML document and its node tree (for the lines of values)."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise YamlInputError(f"fichier trop grand (plus de {MAX_BYTES // 1024} Kio)")
    if FastLoader is not None:
        loader = FastLoader(text)
        try:
            node = loader.get_single_node()
            if node is None or not _shares_nodes(node):
                return (loader.construct_document(node) if node is not None else None), node
        except yaml.YAMLError:
            pass  # read again below, for the pure-Python parser's message and line
        finally:
            loader.dispose()
    return _read_slowly(text)


def _read_slowly(text: str) -> tuple[Any, yaml.Node | None]:
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
