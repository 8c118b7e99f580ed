"""Is this element seen by a visitor? A pure judgement over an lxml tree and its cascade."""

from __future__ import annotations

from lxml import etree

from crawler.judge.css import Cascade, Declared, font_shorthand_size_px, length_px

# A link moved further than this to the left or top is off-screen, a classic way of hiding text.
OFFSCREEN_PX = -500.0
# Opacity below this is as good as invisible.
MIN_OPACITY = 0.05
# A box this small (or smaller) in either dimension cannot be read.
TINY_PX = 1.0

NON_VISUAL_ANCESTORS = {"noscript": "noscript", "template": "template"}


def _value(styles: dict[str, Declared], name: str) -> str | None:
    declared = styles.get(name)
    return declared.value if declared else None


def _describe(element: etree._Element) -> str:
    """A short CSS-like name of an element, for the reason a link is hidden."""
    name = str(element.tag)
    if element.get("id"):
        name += "#" + element.get("id", "")
    classes = element.get("class", "").split()
    if classes:
        name += "." + ".".join(classes[:2])
    return name


def _clip_hides(styles: dict[str, Declared]) -> bool:
    clip = (_value(styles, "clip") or "").replace(" ", "")
    clip_path = (_value(styles, "clip-path") or "").replace(" ", "")
    return (
        clip.startswith("rect(") and all((length_px(p) or 0) <= TINY_PX for p in clip[5:-1].split(",") if p)
    ) or clip_path in ("inset(50%)", "inset(100%)", "circle(0)", "circle(0px)")


def _is_clipped_to_nothing(styles: dict[str, Declared]) -> bool:
    overflow = {_value(styles, n) for n in ("overflow", "overflow-x", "overflow-y")}
    if not overflow & {"hidden", "clip"}:
        return False
    for name in ("width", "height", "max-width", "max-height"):
        size = length_px(_value(styles, name) or "")
        if size is not None and size <= TINY_PX:
            return True
    return False


def _offscreen(styles: dict[str, Declared]) -> bool:
    if _value(styles, "position") in ("absolute", "fixed", "relative"):
        for name in ("left", "top"):
            offset = length_px(_value(styles, name) or "")
            if offset is not None and offset <= OFFSCREEN_PX:
                return True
    return False


def hidden_reason(
    link: etree._Element, cascade: Cascade, contains_image: bool = False
) -> tuple[str, str] | None:
    """Why a visitor cannot see `link` (reason code, element responsible), or None if they can.

    Walks from the link up to the root, applying inheritance where CSS inherits (visibility,
    font-size, text-indent) and multiplying opacity.
    """
    chain = [link, *link.iterancestors()]
    for element in chain:
        tag = str(element.tag).lower()
        if tag in NON_VISUAL_ANCESTORS:
            return NON_VISUAL_ANCESTORS[tag], _describe(element)

    opacity = 1.0
    inherited: dict[str, tuple[str, etree._Element]] = {}
    for element in chain:
        styles = cascade.declared(element)
        display = _value(styles, "display")
        if display == "none" or (display is None and element.get("hidden") is not None):
            return ("display:none" if display else "hidden-attribute"), _describe(element)
        opacity_value = _value(styles, "opacity")
        if opacity_value is not None:
            try:
                number = opacity_value.rstrip("%")
                opacity *= float(number) / (100 if opacity_value.endswith("%") else 1)
            except ValueError:
                pass
            if opacity < MIN_OPACITY:
                return "opacity:0", _describe(element)
        if _value(styles, "position") in ("absolute", "fixed") and _clip_hides(styles):
            return "sr-only", _describe(element)
        if _is_clipped_to_nothing(styles):
            return "zero-size", _describe(element)
        if _offscreen(styles):
            return "off-screen", _describe(element)
        for name in ("visibility", "font-size", "text-indent"):
            value = _value(styles, name)
            if name == "font-size" and value is None and _value(styles, "font"):
                size = font_shorthand_size_px(_value(styles, "font") or "")
                value = None if size is None else f"{size}px"
            if value is not None and name not in inherited:
                inherited[name] = (value, element)

    if "visibility" in inherited and inherited["visibility"][0] in ("hidden", "collapse"):
        return "visibility:hidden", _describe(inherited["visibility"][1])
    if "font-size" in inherited and not contains_image:
        size = length_px(inherited["font-size"][0])
        if size is not None and size <= TINY_PX:
            return "font-size:0", _describe(inherited["font-size"][1])
    if "text-indent" in inherited:
        indent = length_px(inherited["text-indent"][0])
        if indent is not None and indent <= OFFSCREEN_PX:
            return "off-screen", _describe(inherited["text-indent"][1])
    return None
