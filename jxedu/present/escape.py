"""Escaping text from the data for the context it lands in: one helper per context.

A school, village, 镇街 or scenario name is data: it may hold ``<``, quotes, backticks, ``${…}``,
``</style>`` or a line separator, and it must show as the characters it is, never run or break out
of its place. Every output that puts data into markup uses exactly one of these helpers for the
context at hand:

=========================  ==========================================================================
context                    helper
=========================  ==========================================================================
HTML text                  :func:`html_text` (``<p>{…}</p>``, table cells, captions)
HTML attribute (quoted)    :func:`html_attr` (``<img alt="{…}">``)
HTML inside a JS template  :func:`html_in_template` (folium popups and tooltips: HTML that folium
                           places inside a JavaScript template literal)
``<title>``                :func:`title_text`
JavaScript value           :func:`js_value` / :func:`js_string` (a literal in a ``<script>``)
JS template literal text   :func:`js_template_text` (inside `` `…` `` of hand-written script)
CSS string                 :func:`css_string` (inside ``"…"`` in a ``<style>``, e.g. ``content:``)
Markdown text              :func:`markdown_text` (notes that notebooks render as Markdown)
=========================  ==========================================================================

>>> html_text('<b>甲"校</b>')
'&lt;b&gt;甲&quot;校&lt;/b&gt;'
>>> js_string("</script><script>alert(1)</script>")
'"\\\\u003c/script\\\\u003e\\\\u003cscript\\\\u003ealert(1)\\\\u003c/script\\\\u003e"'
>>> css_string('"; } body { x: "')
'\\\\22 \\\\3b  \\\\7d  body \\\\7b  x\\\\3a  \\\\22 '

``None`` and NaN become ``""`` (or the ``missing`` text given).
"""

from __future__ import annotations

import html
import json
import math
import re
import unicodedata

__all__ = [
    "css_string",
    "html_attr",
    "html_in_template",
    "html_text",
    "js_string",
    "js_template_text",
    "js_value",
    "markdown_text",
    "title_text",
]

# Characters that end a JavaScript line (and were invalid in JSON-in-JS before ES2019).
_LINE_SEPARATORS = {"\u2028": "\\u2028", "\u2029": "\\u2029"}
# Inside a <script>: never let the text close the element or open a comment.
_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", **_LINE_SEPARATORS}
_SCRIPT_UNSAFE_RE = re.compile("[<>&\u2028\u2029]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MARKDOWN_RE = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def _text(value, missing: str = "") -> str:
    """``str(value)``; ``missing`` for ``None``, NaN and ``pd.NA``."""
    if value is None:
        return missing
    if isinstance(value, float) and math.isnan(value):
        return missing
    if type(value).__name__ in ("NAType", "NaTType"):
        return missing
    return str(value)


def html_text(value, *, missing: str = "") -> str:
    """Text for HTML element content: ``& < > " '`` as character references.

    Parameters
    ----------
    value
        Any value (``str()`` is taken).
    missing
        Text for ``None``/NaN (e.g. ``"—"``).

    Returns
    -------
    str
    """
    return html.escape(_text(value, missing), quote=True)


def html_attr(value, *, missing: str = "") -> str:
    """Text for a quoted HTML attribute value (``alt="…"``); also escapes `` ` `` (old IE quoting).

    Parameters
    ----------
    value
        Any value.
    missing
        Text for ``None``/NaN.

    Returns
    -------
    str
    """
    return html.escape(_text(value, missing), quote=True).replace("`", "&#96;")


def html_in_template(value, *, missing: str = "") -> str:
    """HTML text that a library places inside a JavaScript template literal (folium popups, tooltips).

    Besides :func:`html_text`, `` ` ``, ``$`` and ``\\`` become character references, so the text can
    neither close the literal nor start a ``${…}`` substitution or an escape sequence; U+2028/2029
    become references too.

    Parameters
    ----------
    value
        Any value.
    missing
        Text for ``None``/NaN.

    Returns
    -------
    str
    """
    text = html.escape(_text(value, missing), quote=True)
    return (text.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")
            .replace("\u2028", "&#8232;").replace("\u2029", "&#8233;"))


def title_text(value, *, missing: str = "") -> str:
    """Text for ``<title>``: escaped, on one line (line breaks and control characters become spaces).

    Parameters
    ----------
    value
        Any value.
    missing
        Text for ``None``/NaN.

    Returns
    -------
    str
    """
    text = _CONTROL_RE.sub(" ", _text(value, missing))
    text = " ".join(text.split())
    return html.escape(text, quote=True)


def _script_safe(json_text: str) -> str:
    return _SCRIPT_UNSAFE_RE.sub(lambda m: _SCRIPT_UNSAFE[m.group(0)], json_text)


def js_value(value) -> str:
    """A JavaScript literal of a JSON-serialisable value, safe inside a ``<script>`` element.

    ``json.dumps`` (non-ASCII kept), then ``< > &`` and U+2028/2029 as ``\\uXXXX`` escapes, so the
    text can close neither the string nor the script (``</script>``, ``<!--``). NaN becomes ``null``.

    Parameters
    ----------
    value
        ``str``, number, bool, ``None``, lists and dicts of these (other objects: their ``str``).

    Returns
    -------
    str
        JavaScript source (also valid JSON).
    """
    def clean(v):
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, dict):
            return {str(k): clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        return v

    return _script_safe(json.dumps(clean(value), ensure_ascii=False, default=str))


def js_string(value, *, missing: str = "") -> str:
    """A quoted JavaScript string literal of ``str(value)``, safe inside a ``<script>`` element.

    Parameters
    ----------
    value
        Any value.
    missing
        Text for ``None``/NaN.

    Returns
    -------
    str
        ``"…"`` with the quotes.
    """
    return js_value(_text(value, missing))


def js_template_text(value, *, missing: str = "") -> str:
    """Text for the inside of a hand-written JavaScript template literal (`` `…` ``).

    ``\\``, `` ` `` and ``$`` are backslash-escaped (no substitution can start), ``<`` as ``\\x3C``
    (no ``</script>``), U+2028/2029 as escapes. The result is plain text to JavaScript; if the
    literal is then used as HTML, escape with :func:`html_in_template` instead.

    Parameters
    ----------
    value
        Any value.
    missing
        Text for ``None``/NaN.

    Returns
    -------
    str
    """
    text = _text(value, missing)
    text = text.replace("\\", "\\\\").replace("`", "\\`").replace("$", "\\$").replace("<", "\\x3C")
    for ch, rep in _LINE_SEPARATORS.items():
        text = text.replace(ch, rep)
    return text


def css_string(value, *, missing: str = "") -> str:
    """Content of a double-quoted CSS string (``content: "…"``), safe inside a ``<style>`` element.

    Every ASCII character other than letters, digits and the space becomes a CSS hex escape
    (``\\22 `` for ``"``, ``\\3c `` for ``<`` …), so the text can close neither the string, nor the
    rule, nor the ``<style>`` element; line breaks and control characters too. Other characters
    (Chinese text, ·) stay as they are.

    Parameters
    ----------
    value
        Any value.
    missing
        Text for ``None``/NaN.

    Returns
    -------
    str
        Without the surrounding quotes.
    """
    out = []
    for ch in _text(value, missing):
        code = ord(ch)
        if ch == " " or (ch.isascii() and ch.isalnum()):
            out.append(ch)
        elif code < 0x80 or ch in _LINE_SEPARATORS or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            out.append(f"\\{code:x} ")
        else:
            out.append(ch)
    return "".join(out)


def markdown_text(value, *, missing: str = "") -> str:
    """Text for Markdown that a notebook or report renders: HTML-escaped, Markdown punctuation
    backslash-escaped (a name cannot become a link, an image, emphasis or a heading).

    Parameters
    ----------
    value
        Any value.
    missing
        Text for ``None``/NaN.

    Returns
    -------
    str
    """
    text = html.escape(" ".join(_text(value, missing).split()), quote=False)
    return _MARKDOWN_RE.sub(r"\\\1", text)
