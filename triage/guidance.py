"""Staff-written Markdown rendered safely: raw HTML is shown as text, unsafe links are dropped."""

from markdown_it import MarkdownIt

# The "js-default" preset is CommonMark with raw HTML off; its link validator refuses
# javascript:, vbscript:, file: and data: addresses.
_markdown = MarkdownIt("js-default")


def render_markdown(text: str) -> str:
    return _markdown.render(text or "")
