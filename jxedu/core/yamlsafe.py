"""Bounded YAML: the one way jxedu reads a YAML file a planner wrote (settings, scenarios).

:func:`load_yaml` reads with PyYAML's safe loader only (no tag ever runs code) and refuses, with a
Chinese message naming the file and line, anything that could exhaust the machine or be misread:

* a file larger than :data:`MAX_BYTES`;
* more than :data:`MAX_ALIASES` aliases (``*name``), a document that would expand to more than
  :data:`MAX_NODES` nodes when its aliases are followed (the "billion laughs" alias bomb: nine
  levels of nine aliases are only 81 aliases but 387 million nodes), or an alias that refers to
  itself (a recursive structure);
* nesting deeper than :data:`MAX_DEPTH` levels;
* a key written twice in the same mapping (the second value would silently win);
* a tag without a safe constructor (``!!python/object`` …) and plain syntax errors.

>>> load_yaml("a: 1\\nb: [x, y]\\n")
{'a': 1, 'b': ['x', 'y']}

With ``lines=True`` mappings, sequences and integers carry the line they start on
(:class:`YamlMap`, :class:`YamlSeq`, :class:`YamlInt`), so a caller can name the line of a bad
value; without, plain ``dict``/``list``/``int`` are returned.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from jxedu.core.errors import JxeduError, YamlError

__all__ = [
    "MAX_ALIASES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "YamlError",
    "YamlInt",
    "YamlMap",
    "YamlSeq",
    "line_of",
    "load_yaml",
    "to_plain",
]

#: Largest YAML file read, in bytes (a settings or scenario file is a few kilobytes).
MAX_BYTES = 1_048_576  # bytes (1 MiB)
#: Most aliases (``*name``) in one document.
MAX_ALIASES = 100  # aliases
#: Most nodes of the document with every alias followed (scalars, sequences and mappings counted).
MAX_NODES = 100_000  # nodes
#: Deepest nesting of sequences and mappings.
MAX_DEPTH = 50  # levels


class YamlMap(dict):
    """A mapping read with ``lines=True``: ``line`` (1-based) of the mapping, ``key_lines`` of each key."""

    line: int = 0
    key_lines: dict


class YamlSeq(list):
    """A sequence read with ``lines=True``: ``line`` (1-based) of the sequence, ``item_lines`` of each item."""

    line: int = 0
    item_lines: list


class YamlInt(int):
    """An integer read with ``lines=True``; ``text`` keeps its spelling (an id ``0012`` stays ``"0012"``)."""

    text: str = ""
    line: int = 0


def line_of(obj, key=None) -> int | None:
    """The 1-based line of a value read with ``lines=True`` (or of one of its keys / items).

    Parameters
    ----------
    obj
        A :class:`YamlMap`, :class:`YamlSeq` or :class:`YamlInt`.
    key
        A key of the mapping or an index of the sequence; ``None`` for the line of ``obj`` itself.

    Returns
    -------
    int or None
        ``None`` when the value carries no line (read without ``lines=True`` or built in code).
    """
    if key is None:
        line = getattr(obj, "line", 0)
    elif isinstance(obj, YamlMap):
        line = obj.key_lines.get(key, 0)
    elif isinstance(obj, YamlSeq) and isinstance(key, int) and -len(obj) <= key < len(obj):
        line = obj.item_lines[key]
    else:
        line = 0
    return line or None


def to_plain(obj):
    """A document read with ``lines=True`` as plain ``dict``/``list``/``int`` (line numbers dropped).

    Parameters
    ----------
    obj
        A value returned by :func:`load_yaml`.

    Returns
    -------
    object
        The same content without :class:`YamlMap`, :class:`YamlSeq` or :class:`YamlInt`.
    """
    if isinstance(obj, dict):
        return {to_plain(k): to_plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [to_plain(v) for v in obj]
    if isinstance(obj, YamlInt):
        return int(obj)
    return obj


def _fail(error: type[JxeduError], code: str, what: str, name: str, line: int | None, detail: str,
          zh: str) -> JxeduError:
    where = f"{name} 第{line}行" if line else name
    exc = error(f"{zh} ({code}): {what} {where}：{detail}")
    exc.code, exc.file, exc.line = code, name, line  # for callers and tests
    return exc


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader counting aliases and limiting the depth while it composes."""

    def __init__(self, stream, *, max_aliases: int, max_depth: int) -> None:
        super().__init__(stream)
        self.max_aliases, self.max_depth = max_aliases, max_depth
        self.n_aliases = 0
        self.depth = 0
        self.limit_hit: tuple[str, int, str] | None = None

    def compose_node(self, parent, index):  # noqa: D102 - PyYAML hook
        if self.check_event(AliasEvent):
            self.n_aliases += 1
            if self.n_aliases > self.max_aliases:
                mark = self.peek_event().start_mark
                self.limit_hit = ("yaml_too_many_aliases", mark.line + 1,
                                  f"别名（*名称）超过 {self.max_aliases} 个")
                raise _LimitReached
            return super().compose_node(parent, index)
        self.depth += 1
        try:
            if self.depth > self.max_depth:
                mark = self.peek_event().start_mark
                self.limit_hit = ("yaml_too_deep", mark.line + 1, f"嵌套超过 {self.max_depth} 层")
                raise _LimitReached
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    # --- constructors used with lines=True
    def construct_lined_mapping(self, node, deep=False):  # noqa: D102
        self.flatten_mapping(node)
        out = YamlMap()
        out.line = node.start_mark.line + 1
        out.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, YamlInt):
                key = key.text
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, "found unhashable key", key_node.start_mark)
            out[key] = self.construct_object(value_node, deep=True)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out

    def construct_lined_sequence(self, node, deep=False):  # noqa: D102
        out = YamlSeq(self.construct_object(child, deep=True) for child in node.value)
        out.line = node.start_mark.line + 1
        out.item_lines = [child.start_mark.line + 1 for child in node.value]
        return out

    def construct_lined_int(self, node):  # noqa: D102
        value = YamlInt(self.construct_yaml_int(node))
        value.text = str(node.value)
        value.line = node.start_mark.line + 1
        return value


class _LinedLoader(_BoundedLoader):
    """The bounded loader building :class:`YamlMap`, :class:`YamlSeq` and :class:`YamlInt`."""


_LinedLoader.add_constructor("tag:yaml.org,2002:map", _BoundedLoader.construct_lined_mapping)
_LinedLoader.add_constructor("tag:yaml.org,2002:seq", _BoundedLoader.construct_lined_sequence)
_LinedLoader.add_constructor("tag:yaml.org,2002:int", _BoundedLoader.construct_lined_int)


class _LimitReached(Exception):
    """Raised inside the composer when a limit is hit (the loader keeps what and where)."""


def _check_nodes(root: Node, *, max_nodes: int) -> tuple[str, int, str] | None:
    """Expanded node count (aliases followed), recursive aliases and duplicate keys, in one walk.

    Shared nodes (anchors) are counted once per reference but visited once (memoised), so the
    walk costs the size of the file, not of the expansion.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[Node, int]] = [(root, 0)]  # (node, state): 0 = enter, 1 = leave
    while stack:
        node, state = stack.pop()
        ident = id(node)
        if state == 0:
            if ident in sizes:
                continue
            if ident in active:
                return ("yaml_recursive_alias", node.start_mark.line + 1, "别名引用了包含它自己的内容（循环引用）")
            active.add(ident)
            stack.append((node, 1))
            if isinstance(node, MappingNode):
                seen: dict[tuple, int] = {}
                for k, v in node.value:
                    if isinstance(k, ScalarNode) and k.tag != "tag:yaml.org,2002:merge":
                        sig = (k.tag, k.value)
                        if sig in seen:
                            return ("yaml_duplicate_key", k.start_mark.line + 1,
                                    f"键“{k.value}”在同一层写了两次（另见第{seen[sig]}行）")
                        seen[sig] = k.start_mark.line + 1
                    stack.append((v, 0))
                    stack.append((k, 0))
            elif isinstance(node, SequenceNode):
                stack.extend((child, 0) for child in reversed(node.value))
            continue
        active.discard(ident)
        if isinstance(node, MappingNode):
            total = 1 + sum(sizes[id(k)] + sizes[id(v)] for k, v in node.value)
        elif isinstance(node, SequenceNode):
            total = 1 + sum(sizes[id(c)] for c in node.value)
        else:
            total = 1
        if total > max_nodes:
            return ("yaml_too_large", node.start_mark.line + 1,
                    f"展开别名后超过 {max_nodes:,} 个元素（别名炸弹）")
        sizes[ident] = total
    return None


def _decode(data: bytes) -> str | None:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def load_yaml(
    source: str | bytes | os.PathLike,
    *,
    what: str = "YAML 文件",
    name: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_aliases: int = MAX_ALIASES,
    max_nodes: int = MAX_NODES,
    max_depth: int = MAX_DEPTH,
    lines: bool = False,
    error: type[JxeduError] = YamlError,
):
    """Read one YAML document safely and within limits.

    Parameters
    ----------
    source
        A path (:class:`pathlib.Path` or other ``os.PathLike``) of the file to read, or the document
        itself as ``str``/``bytes``. Files may be UTF-8 (with or without BOM) or GBK/GB18030.
    what
        What the file is, in Chinese, for messages (``"设置文件"``, ``"方案文件"``).
    name
        File name shown in messages (default: the path's name, or ``"（文本）"`` for text).
    max_bytes
        Largest size read, bytes.
    max_aliases
        Most aliases in the document.
    max_nodes
        Most nodes with every alias followed.
    max_depth
        Deepest nesting of sequences and mappings.
    lines
        Return :class:`YamlMap`/:class:`YamlSeq`/:class:`YamlInt` carrying line numbers (mapping
        keys that are integers become their text).
    error
        Exception class raised (a :class:`~jxedu.core.errors.JxeduError` subclass, e.g.
        ``SettingsError`` or ``ScenarioError``); the instance has ``code``, ``file`` and ``line``.

    Returns
    -------
    object
        The document (``None`` for an empty one).

    Raises
    ------
    JxeduError
        Of class ``error``: unreadable or too large file, unknown encoding, syntax error, unsafe tag,
        duplicate key, or a limit exceeded. The message names the file and, where known, the line.
    """
    if isinstance(source, (str, bytes)):
        shown = name or "（文本）"
        data = source.encode("utf-8") if isinstance(source, str) else source
    else:
        path = Path(source)
        shown = name or path.name
        try:
            size = path.stat().st_size
            if size > max_bytes:
                raise _fail(error, "yaml_file_too_large", what, shown, None,
                            f"文件有 {size:,} 字节，上限 {max_bytes:,} 字节", "文件过大")
            with path.open("rb") as fh:
                data = fh.read(max_bytes + 1)
        except OSError as exc:
            raise _fail(error, "yaml_unreadable", what, shown, None,
                        f"{type(exc).__name__}: {exc.strerror or exc}", "无法读取文件") from None
    if len(data) > max_bytes:
        raise _fail(error, "yaml_file_too_large", what, shown, None,
                    f"超过上限 {max_bytes:,} 字节", "文件过大")
    text = _decode(data)
    if text is None:
        raise _fail(error, "yaml_encoding", what, shown, None, "应为 UTF-8 或 GBK 编码的文本文件", "无法识别编码")

    loader_cls = _LinedLoader if lines else _BoundedLoader
    loader = None
    try:
        loader = loader_cls(text, max_aliases=max_aliases, max_depth=max_depth)
        try:
            node = loader.get_single_node()
        except _LimitReached:
            code, line, detail = loader.limit_hit
            raise _fail(error, code, what, shown, line, detail, "YAML 超出限制") from None
        except RecursionError:
            raise _fail(error, "yaml_too_deep", what, shown, None, f"嵌套超过 {max_depth} 层",
                        "YAML 超出限制") from None
        if node is None:
            return None
        hit = _check_nodes(node, max_nodes=max_nodes)
        if hit is not None:
            code, line, detail = hit
            zh = {"yaml_duplicate_key": "键重复", "yaml_recursive_alias": "循环引用"}.get(code, "YAML 超出限制")
            raise _fail(error, code, what, shown, line, detail, zh)
        try:
            return loader.construct_document(node)
        except ValueError as exc:  # e.g. an integer of more than 4300 digits
            raise _fail(error, "yaml_bad_value", what, shown, None, f"数字过长或无效（{str(exc)[:60]}）",
                        "YAML 取值无效") from None
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        if "constructor for the tag" in (exc.problem or ""):
            tag = (exc.problem or "").split("tag", 1)[-1].strip(" '")
            raise _fail(error, "yaml_unsupported_tag", what, shown, line,
                        f"不支持标签 {tag}（只允许普通的文字、数字、列表和键值对）", "不支持的 YAML 标签") from None
        raise _fail(error, "yaml_syntax", what, shown, line, str(exc.problem or exc), "YAML 格式错误") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise _fail(error, "yaml_syntax", what, shown, line, str(exc.problem or exc.context or exc),
                    "YAML 格式错误") from None
    except yaml.reader.ReaderError as exc:  # a control character in the text
        line = text.count("\n", 0, exc.position) + 1
        raise _fail(error, "yaml_syntax", what, shown, line,
                    f"含有不允许的控制字符 U+{exc.character:04X}", "YAML 格式错误") from None
    except yaml.YAMLError as exc:
        raise _fail(error, "yaml_syntax", what, shown, None, str(exc), "YAML 格式错误") from None
    finally:
        if loader is not None:
            loader.dispose()
