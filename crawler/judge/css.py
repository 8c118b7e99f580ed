"""The part of the CSS cascade that decides whether an element can be seen.

Stylesheets are parsed with tinycss2 and selectors matched with cssselect on the lxml tree, then the
winning declaration is chosen per property by importance, origin, specificity and order, as a browser
does. Only the properties that can hide content are kept, which makes the cascade cheap.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import cssselect
import tinycss2
from lxml import etree

# Properties that can hide an element; every other declaration is dropped while parsing.
HIDING_PROPERTIES = frozenset(
    {
        "display",
        "visibility",
        "opacity",
        "font-size",
        "font",
        "width",
        "height",
        "max-width",
        "max-height",
        "overflow",
        "overflow-x",
        "overflow-y",
        "position",
        "left",
        "top",
        "text-indent",
        "clip",
        "clip-path",
    }
)

# The viewport assumed when evaluating width media queries: a common desktop screen.
VIEWPORT_WIDTH_PX = 1280
_FONT_SIZE_PX = 16.0

_TRANSLATOR = cssselect.HTMLTranslator()
_INLINE_SPECIFICITY = (1, 0, 0, 0)


@dataclass(frozen=True, order=True)
class Precedence:
    """Sort key of a declaration: the greatest wins."""

    important: bool
    inline: bool
    specificity: tuple[int, ...]
    order: int


@dataclass
class Declared:
    value: str
    precedence: Precedence
    source: str


@dataclass
class StyleRule:
    selector: str
    xpath: etree.XPath
    specificity: tuple[int, ...]
    declarations: dict[str, tuple[str, bool]]
    source: str
    # What the subject (rightmost compound) of the selector requires: ("id", x), ("class", x),
    # ("tag", x) or ("any", ""). Only elements carrying that key can match the rule.
    key: tuple[str, str] = ("any", "")


def subject_key(tree: object) -> tuple[str, str]:
    """The most selective simple requirement on the element a parsed cssselect tree selects."""
    while type(tree).__name__ == "CombinedSelector":
        tree = tree.subselector  # type: ignore[attr-defined]
    best: tuple[str, str] = ("any", "")
    while tree is not None:
        kind = type(tree).__name__
        if kind == "Hash":
            return ("id", tree.id)  # type: ignore[attr-defined]
        if kind == "Class":
            best = ("class", tree.class_name)  # type: ignore[attr-defined]
        elif kind == "Element":
            name = tree.element  # type: ignore[attr-defined]
            if name and name != "*" and best[0] == "any":
                best = ("tag", name.lower())
            break
        tree = getattr(tree, "selector", None)
    return best


@dataclass
class Stylesheet:
    """The hiding-relevant rules of one stylesheet, in source order."""

    source: str
    rules: list[StyleRule] = field(default_factory=list)


def parse_declarations(text_or_tokens: str | list) -> dict[str, tuple[str, bool]]:
    """Hiding-relevant declarations of a style attribute or rule body: name → (value, !important)."""
    parsed = tinycss2.parse_blocks_contents(text_or_tokens, skip_whitespace=True, skip_comments=True)
    declarations: dict[str, tuple[str, bool]] = {}
    for item in parsed:
        if item.type != "declaration":
            continue
        name = item.lower_name
        if name in HIDING_PROPERTIES:
            value = tinycss2.serialize(item.value).strip().lower()
            declarations[name] = (value, item.important)
    return declarations


def _media_applies(prelude: list) -> bool:
    """Whether a `@media` prelude applies to a desktop screen of VIEWPORT_WIDTH_PX."""
    query_list = tinycss2.serialize(prelude).strip().lower()
    for query in query_list.split(","):
        query = query.strip()
        if query.startswith("not ") or query.startswith("only "):
            query = query.split(" ", 1)[1]
        words = re.sub(r"\([^)]*\)", "", query).replace(" and ", " ").split()
        if any(word not in ("screen", "all", "and") for word in words):
            continue
        if all(_feature_holds(f) for f in re.findall(r"\(([^)]*)\)", query)):
            return True
    return False


def _feature_holds(feature: str) -> bool:
    name, _, value = (part.strip() for part in feature.partition(":"))
    match = re.fullmatch(r"([\d.]+)(px|em|rem)?", value)
    if name not in ("min-width", "max-width") or not match:
        return False
    pixels = float(match.group(1)) * (1 if match.group(2) in (None, "px") else _FONT_SIZE_PX)
    return VIEWPORT_WIDTH_PX >= pixels if name == "min-width" else VIEWPORT_WIDTH_PX <= pixels


@lru_cache(maxsize=256)
def parse_stylesheet(css: str, source: str) -> Stylesheet:
    """Parse a stylesheet, keeping only rules that declare a hiding property.

    Cached: a site serves the same stylesheet (and often the same `<style>` block) on every page.
    The result is shared, so callers must not modify it.
    """
    sheet = Stylesheet(source)
    _collect_rules(tinycss2.parse_stylesheet(css, True, True), sheet)
    return sheet


def _collect_rules(nodes: list, sheet: Stylesheet) -> None:
    for node in nodes:
        if node.type == "at-rule" and node.lower_at_keyword == "media" and node.content:
            if _media_applies(node.prelude):
                _collect_rules(tinycss2.parse_rule_list(node.content, True, True), sheet)
        elif node.type == "qualified-rule":
            declarations = parse_declarations(node.content)
            if declarations:
                _add_rule(tinycss2.serialize(node.prelude).strip(), declarations, sheet)


def _add_rule(selector_text: str, declarations: dict, sheet: Stylesheet) -> None:
    try:
        selectors = cssselect.parse(selector_text)
    except cssselect.SelectorError:
        return
    for selector in selectors:
        if selector.pseudo_element:
            continue
        try:
            xpath = etree.XPath(_TRANSLATOR.selector_to_xpath(selector))
        except (cssselect.ExpressionError, etree.XPathSyntaxError):
            continue  # dynamic pseudo-classes (:hover…) do not describe the resting state
        sheet.rules.append(
            StyleRule(
                selector_text,
                xpath,
                (0, *selector.specificity()),
                declarations,
                sheet.source,
                subject_key(selector.parsed_tree),
            )
        )


class Cascade:
    """Computed hiding-relevant style of the elements of one document.

    Rules are indexed by the key of their subject, as browsers do; a rule's selector is evaluated
    over the document only when an element carrying its key is asked about, then remembered.
    """

    def __init__(self, root: etree._Element, sheets: list[Stylesheet]) -> None:
        self._root = root
        self._by_key: dict[tuple[str, str], list[tuple[int, StyleRule]]] = defaultdict(list)
        self._selected: dict[int, set[etree._Element]] = {}
        order = 0
        for sheet in sheets:
            for rule in sheet.rules:
                order += 1
                self._by_key[rule.key].append((order, rule))

    def _selects(self, order: int, rule: StyleRule, element: etree._Element) -> bool:
        if order not in self._selected:
            try:
                self._selected[order] = set(rule.xpath(self._root))
            except etree.XPathError:
                self._selected[order] = set()
        return element in self._selected[order]

    def _matching_rules(self, element: etree._Element) -> list[tuple[StyleRule, int]]:
        keys = [("any", ""), ("tag", str(element.tag).lower())]
        if element.get("id"):
            keys.append(("id", element.get("id", "")))
        keys += [("class", name) for name in element.get("class", "").split()]
        candidates = sorted(
            (entry for key in dict.fromkeys(keys) for entry in self._by_key.get(key, ())), key=lambda e: e[0]
        )
        return [(rule, order) for order, rule in candidates if self._selects(order, rule, element)]

    def declared(self, element: etree._Element) -> dict[str, Declared]:
        """The winning declaration of each hiding property set on this element itself."""
        winners: dict[str, Declared] = {}
        candidates: list[tuple[dict, Precedence, str]] = []
        for rule, order in self._matching_rules(element):
            for important in (False, True):
                candidates.append(
                    (
                        {k: v for k, (v, imp) in rule.declarations.items() if imp == important},
                        Precedence(important, False, rule.specificity, order),
                        f"{rule.selector} ({rule.source})",
                    )
                )
        style = element.get("style")
        if style:
            inline = parse_declarations(style)
            for important in (False, True):
                candidates.append(
                    (
                        {k: v for k, (v, imp) in inline.items() if imp == important},
                        Precedence(important, True, _INLINE_SPECIFICITY, 0),
                        "style",
                    )
                )
        for declarations, precedence, source in candidates:
            for name, value in declarations.items():
                current = winners.get(name)
                if current is None or precedence >= current.precedence:
                    winners[name] = Declared(value, precedence, source)
        return winners


def length_px(value: str) -> float | None:
    """A CSS length in pixels (em and rem at 16 px), or None for anything else (auto, %)."""
    match = re.fullmatch(r"(-?[\d.]+)(px|em|rem|pt)?", value.strip())
    if not match:
        return None
    number = float(match.group(1))
    unit = match.group(2)
    if unit is None:
        return number if number == 0 else None
    return number * {"px": 1.0, "em": _FONT_SIZE_PX, "rem": _FONT_SIZE_PX, "pt": 4 / 3}[unit]


def font_shorthand_size_px(value: str) -> float | None:
    """The font-size inside a `font` shorthand such as `0/0 a` or `bold 0px Arial`."""
    for token in re.split(r"[\s/]+", value):
        size = length_px(token)
        if size is not None:
            return size
    return None
