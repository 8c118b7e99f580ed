// Runs in the page: every link to the Collectif with what a visitor sees of it.
// Argument: the Collectif's domains. Returns one object per <a>/<area>, in document order.
(domains) => {
  const MIN_PX = 3;
  const onDomains = (host) => domains.some((d) => host === d || host.endsWith("." + d));
  const landmark = (el) => {
    const tags = { HEADER: "header", NAV: "nav", MAIN: "main", ASIDE: "aside", FOOTER: "footer" };
    const roles = { banner: "header", navigation: "nav", main: "main", complementary: "aside", contentinfo: "footer" };
    for (let e = el.parentElement; e; e = e.parentElement) {
      if (tags[e.tagName]) return tags[e.tagName];
      const role = (e.getAttribute("role") || "").trim().toLowerCase();
      if (roles[role]) return roles[role];
    }
    return "other";
  };
  const boxOf = (el) => {
    if (el.tagName === "AREA") {
      const map = el.closest("map");
      const img = map && document.querySelector(`img[usemap="#${CSS.escape(map.name)}"]`);
      return img || null;
    }
    return el;
  };
  const why = (el) => {
    const box = boxOf(el);
    if (!box) return "no-image-for-area";
    if (!box.checkVisibility()) {
      for (let e = box; e; e = e.parentElement) {
        if (getComputedStyle(e).display === "none") return "display:none";
      }
      return "display:none";
    }
    if (!box.checkVisibility({ visibilityProperty: true })) return "visibility:hidden";
    let opacity = 1;
    for (let e = box; e; e = e.parentElement) opacity *= parseFloat(getComputedStyle(e).opacity || "1");
    if (opacity < 0.05) return "opacity:0";
    const hasImage = box.tagName === "IMG" || box.querySelector("img") !== null;
    if (!hasImage && parseFloat(getComputedStyle(box).fontSize) < 1) return "font-size:0";
    // Where the text is drawn, not the box: text-indent moves the text out of a box left in place.
    let rect = box.getBoundingClientRect();
    if (!hasImage) {
      const range = document.createRange();
      range.selectNodeContents(box);
      const drawn = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
      if (drawn.length) {
        rect = {
          left: Math.min(...drawn.map((r) => r.left)), top: Math.min(...drawn.map((r) => r.top)),
          right: Math.max(...drawn.map((r) => r.right)), bottom: Math.max(...drawn.map((r) => r.bottom)),
        };
      }
    }
    let left = rect.left, top = rect.top, right = rect.right, bottom = rect.bottom;
    if (right - left < MIN_PX || bottom - top < MIN_PX) return "zero-size";
    for (let e = box.parentElement; e && e !== document.body; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.overflow === "visible" && style.clipPath === "none" && style.clip === "auto") continue;
      const r = e.getBoundingClientRect();
      left = Math.max(left, r.left); top = Math.max(top, r.top);
      right = Math.min(right, r.right); bottom = Math.min(bottom, r.bottom);
      if (right - left < MIN_PX || bottom - top < MIN_PX) return style.clip !== "auto" || style.clipPath !== "none" ? "sr-only" : "zero-size";
    }
    const width = Math.max(document.documentElement.scrollWidth, innerWidth);
    const height = Math.max(document.documentElement.scrollHeight, innerHeight);
    if (right + scrollX <= 0 || bottom + scrollY <= 0 || left + scrollX >= width || top + scrollY >= height) return "off-screen";
    return null;
  };
  const out = [];
  for (const el of document.querySelectorAll("a[href], area[href]")) {
    let url;
    try { url = new URL(el.getAttribute("href").trim(), document.baseURI); } catch (e) { continue; }
    if (!/^https?:$/.test(url.protocol) || !onDomains(url.hostname.toLowerCase())) continue;
    const img = el.querySelector("img");
    const text = (el.innerText || el.textContent || "").replace(/\s+/g, " ").trim()
      || (img && img.alt) || el.getAttribute("alt") || el.getAttribute("aria-label") || el.getAttribute("title") || "";
    const reason = why(el);
    out.push({
      href: el.getAttribute("href"), url: url.href, text: text.trim(),
      rel: (el.getAttribute("rel") || "").toLowerCase().split(/\s+/).filter((t) => ["nofollow", "sponsored", "ugc"].includes(t)),
      location: landmark(el), visible: reason === null, hidden_reason: reason,
    });
  }
  return out;
}
