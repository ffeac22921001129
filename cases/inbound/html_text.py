"""An HTML email body as plain text, its quoted history marked with "> " as a plain-text client would."""

import re
from html.parser import HTMLParser

# Elements whose content is never text: code, styling, metadata.
SKIPPED = {"script", "style", "head", "title", "template", "noscript", "object", "iframe", "svg", "math"}
# Elements that start and end a line of their own.
BLOCKS = {
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure", "footer",
    "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
    "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
# Elements that also leave an empty line around them, as a paragraph does.
PARAGRAPHS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "ul", "ol", "hr"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

# The forwarded-message lines of Gmail, Thunderbird and Apple Mail, in English and French.
FORWARD_LINE = re.compile(
    r"^\s*(?:-{5,}\s*(?:Forwarded message|Forwarded Message|Message transf[ée]r[ée])\s*-{5,}"
    r"|Begin forwarded message\s*:|D[ée]but du message r[ée]exp[ée]di[ée]\s*:)\s*$",
    re.IGNORECASE | re.MULTILINE,
)
# The subject line of a header block whose message was forwarded rather than answered (Outlook).
FORWARD_SUBJECT = re.compile(r"^\s*\*?(?:Subject|Objet)\s*:\s*\*?\s*(?:FW|FWD|TR)\s*:", re.IGNORECASE | re.MULTILINE)


def is_forward(text):
    """Whether quoted history begins as a forwarded message: a forward line, or an Outlook header block
    (its first few lines) whose subject says FW:/TR:."""
    head = "\n".join(text.strip().splitlines()[:8])
    first = head.splitlines()[0] if head else ""
    return bool(FORWARD_LINE.match(first) or FORWARD_SUBJECT.search(head))


class _Text(HTMLParser):
    """Collects text in pieces, each tagged with the quoted region it belongs to (None outside one).

    Quoted regions: Gmail's <div class="gmail_quote">, Apple Mail's <blockquote type="cite">, Thunderbird's
    <blockquote cite=…> (each to its closing tag) and Outlook's <div id="divRplyFwdMsg"> or
    <div id="appendonsend"> (to the end of the message: Outlook puts the quoted message after them)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces = []  # (region or None, text)
        self.skipping = 0
        self.region = None
        self.regions = 0
        self.region_tag = None
        self.region_depth = 0
        self.pre = 0
        self.tail = ""  # the last characters written, to know where the current line stands

    def _emit(self, text):
        if not self.tail or self.tail.endswith("\n"):
            text = text.lstrip(" ")
        if text:
            self.pieces.append((self.region, text))
            self.tail = (self.tail + text)[-2:]

    def _break(self, lines):
        """End the current line (lines=1) or paragraph (lines=2), unless it already is: blocks do not stack
        up empty lines, only <br> does."""
        if self.tail:
            self._emit("\n" * (lines - len(self.tail) + len(self.tail.rstrip("\n"))))

    def _quoted_start(self, tag, attrs):
        if self.region is not None:
            return None
        classes = (attrs.get("class") or "").split()
        if tag == "div" and attrs.get("id") in ("divRplyFwdMsg", "appendonsend"):
            return "end"
        if tag == "div" and "gmail_quote" in classes:
            return "tag"
        if tag == "blockquote" and (attrs.get("type") == "cite" or "cite" in attrs):
            return "tag"
        return None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "body":
            self.skipping = 0  # a <head> left open ends where the body begins
        if tag in SKIPPED:
            self.skipping += 1
            return
        if self.skipping:
            return
        kind = self._quoted_start(tag, attrs)
        if kind:
            self._break(2)
            self.regions += 1
            self.region = self.regions
            self.region_tag = tag if kind == "tag" else None
            self.region_depth = 0
        if self.region_tag == tag:
            self.region_depth += 1
        if tag == "br":
            self._emit("\n")
        elif tag in BLOCKS:
            self._break(2 if tag in PARAGRAPHS else 1)
        if tag == "pre":
            self.pre += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in SKIPPED:
            self.skipping = max(0, self.skipping - 1)
            return
        if self.skipping:
            return
        if tag in BLOCKS:
            self._break(2 if tag in PARAGRAPHS else 1)
        if tag == "pre":
            self.pre = max(0, self.pre - 1)
        if self.region_tag == tag:
            self.region_depth -= 1
            if self.region_depth == 0:
                self._break(2)
                self.region = None
                self.region_tag = None

    def handle_data(self, data):
        if self.skipping:
            return
        if not self.pre:
            # HTML collapses white space; line breaks come from the markup.
            data = re.sub(r"[ \t\r\n\f]+", " ", data)
        self._emit(data)


def _tidy(text):
    lines = [line.strip(" \t") for line in text.replace("\u00a0", " ").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def html_to_text(html):
    """Text of an HTML body with paragraphs, line breaks and link text kept; scripts, styles and the head
    dropped; nothing fetched (the parser only reads the markup). Quoted history comes out with each line
    prefixed "> ", except a forwarded message, which stays as the client's own content."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    outside, regions, order = [], {}, []
    for region, text in parser.pieces:
        if region is None:
            outside.append((None, text))
        else:
            if region not in regions:
                regions[region] = []
                order.append(region)
                outside.append((region, ""))
            regions[region].append(text)
    parts = []
    for region, text in outside:
        if region is None:
            parts.append(text)
            continue
        quoted = _tidy("".join(regions[region]))
        if not is_forward(quoted):
            quoted = "\n".join(">" + (" " + line if line else "") for line in quoted.split("\n"))
        parts.append("\n\n" + quoted + "\n\n")
    return _tidy("".join(parts))
