"""Turn untrusted scenario bytes into plain Python data, with the line and column of every key and value.

Why not simply `YAML(typ="rt").load()`: the round-trip loader quietly keeps unknown tags (even
`!!python/object/apply:...`) as tagged objects, recurses once per nesting level, and builds alias graphs
that only explode later, when someone walks them. Here ruamel.yaml's YAML 1.2 parser supplies the event
stream and this module builds the tree itself, so every limit is enforced *before* a value exists:

- size (1 MB), NUL bytes, UTF-8, and tab indentation are checked on the raw input;
- only the standard tags (`!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!map`, `!!seq`) are accepted;
- nesting deeper than `MAX_DEPTH` and more than `MAX_NODES` values once aliases are expanded are refused
  as soon as the parser reaches them (an alias bomb costs a few milliseconds, never memory);
- plain scalars follow the YAML 1.2 core schema (`yes` stays text, `.nan` is a float);
- duplicate keys are refused; `<<` merge keys are honoured (handy for units that share defaults).

Every refusal is a `YamlRefusal` carrying a 1-based line and column; the caller names the file.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    DocumentStartEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceStartEvent,
)
from ruamel.yaml.reader import ReaderError

MAX_BYTES = 1_000_000
"""Largest scenario file accepted; real scenarios are a few tens of kilobytes."""
MAX_DEPTH = 50
"""Deepest nesting of mappings and lists accepted; the scenario format needs fewer than ten levels."""
MAX_NODES = 100_000
"""Most values a document may hold once aliases are expanded; a real scenario holds a few thousand."""

Path = tuple[str | int, ...]
"""Where a value sits in the data: mapping keys and list indices from the top."""


class Pos(NamedTuple):
    """A 1-based line and column in the file."""

    line: int
    col: int


class Spot(NamedTuple):
    """Where a value was written: the position of its key (None for list items and the top) and of the value."""

    key: Pos | None
    value: Pos


@dataclass
class Document:
    """Plain data (dicts, lists, str, int, float, bool, None) and the position of every value in it."""

    data: Any
    spots: dict[Path, Spot]


class YamlRefusal(Exception):
    """The input cannot be read as a scenario document; `message` says why in plain words."""

    def __init__(self, line: int, col: int, message: str, field: str = "") -> None:
        super().__init__(f"{line}:{col}: {message}")
        self.line = max(1, line)
        self.col = max(1, col)
        self.message = message
        self.field = field
        """Dotted path of the offending key, when the refusal concerns one."""


# --- raw input ------------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """Bytes to text, refusing oversized, binary and non-UTF-8 input with the position of the culprit."""
    if len(data) > MAX_BYTES:
        raise YamlRefusal(1, 1, f"the file is larger than {_size(MAX_BYTES)}, the limit for a scenario or orders file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise YamlRefusal(1, 1, "the file is UTF-16 text; save it as UTF-8")
    nul = data.find(b"\x00")
    if nul >= 0:
        line, col = _byte_position(data, nul)
        raise YamlRefusal(line, col, "the file contains NUL bytes: it looks like a binary file, not YAML text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, col = _byte_position(data, error.start)
        bad = data[error.start : error.start + 1].hex()
        raise YamlRefusal(line, col, f"the file is not valid UTF-8 text (byte 0x{bad}); save it as UTF-8") from None


def check_text(text: str) -> None:
    """Refuse text that is too long, holds NUL characters, or indents with tabs (YAML forbids them there)."""
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise YamlRefusal(1, 1, f"the text is larger than {_size(MAX_BYTES)}, the limit for a scenario or orders file")
    nul = text.find("\x00")
    if nul >= 0:
        line, col = _text_position(text, nul)
        raise YamlRefusal(line, col, "the text contains NUL characters: it looks like binary data, not YAML")
    for number, line_text in enumerate(_LINE_BREAK.split(text), start=1):
        indent = len(line_text) - len(line_text.lstrip(" \t"))
        if "\t" in line_text[:indent] and line_text[indent:].strip():
            raise YamlRefusal(
                number, line_text.index("\t") + 1, "a tab character is used for indentation; indent with spaces"
            )


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    start = data.rfind(b"\n", 0, offset) + 1
    col = len(data[start:offset].decode("utf-8", "replace")) + 1
    return data.count(b"\n", 0, offset) + 1, col


_LINE_BREAK = re.compile("\r\n|[\r\n]")
"""Line breaks as YAML 1.2 (and ruamel.yaml's marks) count them; NEL and U+2028 are not breaks in 1.2."""


def _text_position(text: str, offset: int) -> tuple[int, int]:
    lines = _LINE_BREAK.split(text[:offset])
    return len(lines), len(lines[-1]) + 1


# --- scalars: the YAML 1.2 core schema ---------------------------------------------------------------

_STD = "tag:yaml.org,2002:"
_NULLS = {"", "~", "null", "Null", "NULL"}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)")
_MAX_DIGITS = 100


def _core_value(text: str, pos: Pos) -> Any:
    """The value of a plain (unquoted, untagged) scalar under the YAML 1.2 core schema."""
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if _INT.fullmatch(text):
        return _to_int(text, pos)
    if _FLOAT.fullmatch(text):
        return float(text)
    if _INF.fullmatch(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.fullmatch(text):
        return math.nan
    return text


def _to_int(text: str, pos: Pos) -> int:
    if len(text) > _MAX_DIGITS:
        raise YamlRefusal(*pos, f"the number has more than {_MAX_DIGITS} digits")
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text, 10)


def _tagged_value(tag: str, text: str, pos: Pos) -> Any:
    """The value of a scalar with an explicit standard tag (`!!int "5"` is 5); anything odd is refused."""
    kind = tag.removeprefix(_STD)
    if tag == "!" or kind == "str":
        return text
    if kind not in {"int", "float", "bool", "null"}:
        raise YamlRefusal(*pos, _tag_message(tag))
    value: Any = _core_value(text, pos)
    if kind == "float" and type(value) in (int, float):
        return float(value)
    if (kind, type(value)) in {("int", int), ("bool", bool), ("null", type(None))}:
        return value
    raise YamlRefusal(*pos, f"`{text}` is not a valid value for the tag `!!{kind}`")


def _tag_message(tag: str) -> str:
    shown = "!!" + tag.removeprefix(_STD) if tag.startswith(_STD) else tag
    return f"the tag `{shown}` is not allowed: the file may hold plain data only (no tags, no code)"


# --- building the tree from parser events -------------------------------------------------------------


@dataclass(eq=False)
class _Node:
    """A finished scalar or collection; `size` counts it and everything under it, aliases expanded."""

    kind: str  # "scalar" | "seq" | "map"
    pos: Pos
    value: Any  # scalar: its value; seq: list of nodes; map: list of (key node, value node)
    size: int = 1
    height: int = 1
    raw: str = ""  # scalar source text (used for keys)
    plain: bool = False  # an unquoted, untagged scalar (only a plain `<<` is a merge key)


@dataclass(eq=False)
class _Open:
    """A collection whose end the parser has not reached yet."""

    kind: str
    pos: Pos
    anchor: str | None
    count_before: int
    items: list[_Node] = field(default_factory=list)


class _Builder:
    """Consumes parser events into `_Node`s, enforcing the tag, depth, alias and size rules as it goes."""

    def __init__(self) -> None:
        self.stack: list[_Open] = []
        self.anchors: dict[str, _Node] = {}
        self.open_anchors: set[str] = set()
        self.count = 0
        self.aliases_used = False
        self.root: _Node | None = None
        self.documents = 0

    def feed(self, event: Any) -> None:
        pos = Pos(event.start_mark.line + 1, event.start_mark.column + 1)
        if isinstance(event, DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise YamlRefusal(*pos, "the file holds more than one YAML document (a second `---`); keep one")
        elif isinstance(event, AliasEvent):
            self._alias(event.anchor, pos)
        elif isinstance(event, ScalarEvent):
            self._scalar(event, pos)
        elif isinstance(event, (SequenceStartEvent, MappingStartEvent)):
            self._start(event, pos)
        elif isinstance(event, CollectionEndEvent):
            self._end()

    def _grow(self, by: int, pos: Pos) -> None:
        self.count += by
        if self.count > MAX_NODES:
            if self.aliases_used:
                raise YamlRefusal(
                    *pos,
                    f"anchors and aliases here expand to more than {MAX_NODES:,} values (an alias bomb?); "
                    "a scenario or orders file needs far fewer",
                )
            raise YamlRefusal(
                *pos, f"the file holds more than {MAX_NODES:,} values; a scenario or orders file needs far fewer"
            )

    def _check_key_slot(self, pos: Pos) -> None:
        top = self.stack[-1] if self.stack else None
        if top is not None and top.kind == "map" and len(top.items) % 2 == 0:
            raise YamlRefusal(*pos, "a key must be a plain word, not a list or a mapping")

    def _alias(self, anchor: str, pos: Pos) -> None:
        self.aliases_used = True
        node = self.anchors.get(anchor)
        if node is None:
            if anchor in self.open_anchors:
                raise YamlRefusal(*pos, f"the alias `*{anchor}` refers to a value that contains it")
            raise YamlRefusal(*pos, f"the alias `*{anchor}` has no anchor `&{anchor}` defined before it")
        if node.kind != "scalar":
            self._check_key_slot(pos)
        if len(self.stack) + node.height > MAX_DEPTH:
            raise YamlRefusal(*pos, f"the alias `*{anchor}` nests values more than {MAX_DEPTH} levels deep")
        self._grow(node.size, pos)
        self._attach(node)

    def _scalar(self, event: ScalarEvent, pos: Pos) -> None:
        tag = _tag_text(event.tag)
        # The round-trip scanner marks each fold of a `>` block with a BEL character; drop the markers.
        text = event.value.replace("\a", "") if event.style == ">" else event.value
        if tag is not None:
            value = _tagged_value(tag, text, pos)
        elif event.implicit[0]:
            value = _core_value(text, pos)
        else:
            value = text
        self._grow(1, pos)
        node = _Node("scalar", pos, value, raw=text, plain=tag is None and bool(event.implicit[0]))
        self._name(event.anchor, node)
        self._attach(node)

    def _start(self, event: Any, pos: Pos) -> None:
        kind = "map" if isinstance(event, MappingStartEvent) else "seq"
        tag = _tag_text(event.tag)
        if tag is not None and tag != _STD + kind:
            raise YamlRefusal(*pos, _tag_message(tag))
        self._check_key_slot(pos)
        if len(self.stack) >= MAX_DEPTH:
            raise YamlRefusal(*pos, f"values are nested more than {MAX_DEPTH} levels deep")
        self._grow(1, pos)
        if event.anchor is not None:
            self.open_anchors.add(event.anchor)
        self.stack.append(_Open(kind, pos, event.anchor, self.count - 1))

    def _end(self) -> None:
        done = self.stack.pop()
        height = 1 + max((item.height for item in done.items), default=0)
        if done.kind == "map":
            pairs = list(zip(done.items[0::2], done.items[1::2], strict=True))
            node = _Node("map", done.pos, pairs, self.count - done.count_before, height)
        else:
            node = _Node("seq", done.pos, done.items, self.count - done.count_before, height)
        if done.anchor is not None:
            self.open_anchors.discard(done.anchor)
        self._name(done.anchor, node)
        self._attach(node)

    def _name(self, anchor: str | None, node: _Node) -> None:
        if anchor is not None:
            self.anchors[anchor] = node

    def _attach(self, node: _Node) -> None:
        if self.stack:
            self.stack[-1].items.append(node)
        elif self.root is None:
            self.root = node


def _tag_text(tag: Any) -> str | None:
    if tag is None:
        return None
    return str(getattr(tag, "value", tag))


# --- nodes to plain data ----------------------------------------------------------------------------------


class _Flattener:
    """Walks the node tree once (aliases expanded, already bounded) into plain data and a position map."""

    def __init__(self) -> None:
        self.spots: dict[Path, Spot] = {}

    def value(self, node: _Node, path: Path, key: Pos | None) -> Any:
        empty = node.kind == "scalar" and node.plain and node.raw == ""
        # An empty value (`title:`) is marked by the parser at the next token, often the next line; use the key.
        self.spots[path] = Spot(key, key if empty and key is not None else node.pos)
        if node.kind == "scalar":
            return node.value
        if node.kind == "seq":
            return [self.value(item, (*path, i), None) for i, item in enumerate(node.value)]
        return self._mapping(node, path)

    def _mapping(self, node: _Node, path: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        seen: dict[str, Pos] = {}
        merges: list[_Node] = []
        for key_node, value_node in node.value:
            if key_node.plain and key_node.raw == "<<":
                merges.append(value_node)
                continue
            name = key_node.raw
            if name in seen:
                first = seen[name]
                raise YamlRefusal(
                    key_node.pos.line,
                    key_node.pos.col,
                    f"duplicate key `{name}` (first given at line {first.line}, column {first.col})",
                    field=_dotted((*path, name)),
                )
            seen[name] = key_node.pos
            out[name] = self.value(value_node, (*path, name), key_node.pos)
        for source in merges:
            self._merge(out, source, path)
        return out

    def _merge(self, out: dict[str, Any], source: _Node, path: Path) -> None:
        """`<<: *defaults` (or a list of them): copy the keys the mapping does not set itself."""
        for item in source.value if source.kind == "seq" else [source]:
            if item.kind != "map":
                message = "a merge key `<<` needs a mapping (or a list of mappings) to merge"
                raise YamlRefusal(item.pos.line, item.pos.col, message)
            inner = _Flattener()
            merged = inner._mapping(item, path)
            fresh = [name for name in merged if name not in out]  # a list: keep the file's order
            for name in fresh:
                out[name] = merged[name]
            depth = len(path)
            self.spots.update(
                (where, spot) for where, spot in inner.spots.items() if len(where) > depth and where[depth] in fresh
            )


def _dotted(path: Path) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path).lstrip(".")


def read_yaml(text: str) -> Document:
    """Parse one YAML 1.2 document into plain data with positions; raise `YamlRefusal` on anything unsafe."""
    check_text(text)
    builder = _Builder()
    yaml = YAML(typ="rt", pure=True)
    try:
        for event in yaml.parse(io.StringIO(text)):
            builder.feed(event)
    except MarkedYAMLError as error:
        raise _syntax_refusal(error) from None
    except ReaderError as error:
        line, col = _text_position(text, min(max(error.position, 0), len(text)))
        raise YamlRefusal(line, col, f"the file contains a character YAML does not allow ({_char(error)})") from None
    except YAMLError as error:
        raise YamlRefusal(1, 1, f"YAML error: {error}") from None
    if builder.root is None:
        raise YamlRefusal(1, 1, "the file holds no YAML data (only comments or blank lines)")
    flattener = _Flattener()
    data = flattener.value(builder.root, (), None)
    return Document(data, flattener.spots)


def _char(error: ReaderError) -> str:
    character = error.character
    code = character if isinstance(character, int) else ord(character) if character else 0
    return f"U+{code:04X}"


_HINTS = {
    "mapping values are not allowed here": "a `: ` appears where YAML does not expect a key; quote text that "
    "contains a colon",
    "could not find expected ':'": "expected `key: value`; is a colon missing, or the indentation off?",
    "found character '\\t' that cannot start any token": "a tab character where YAML expects spaces",
    "found unexpected end of stream": "the file ends inside a quoted text or a bracket; is a closing quote "
    "or bracket missing?",
}
_CONTEXTS = {
    "while parsing a flow sequence": "the list `[` opened",
    "while parsing a flow mapping": "the mapping `{` opened",
    "while scanning a quoted scalar": "the quoted text opened",
    "while parsing a block mapping": "the mapping that starts",
    "while parsing a block collection": "the list that starts",
}


def _syntax_refusal(error: MarkedYAMLError) -> YamlRefusal:
    mark = error.problem_mark or error.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = (error.problem or "").strip()
    if problem.startswith("expected <block end>"):
        words = "the indentation here does not line up with the lines above (or a `-` or `key:` is misplaced)"
    else:
        words = _HINTS.get(problem, problem or "unreadable YAML")
    context, where = (error.context or "").strip(), error.context_mark
    if context and where is not None and (where.line, where.column) != (line - 1, col - 1):
        opened = _CONTEXTS.get(context, context)
        words += f" ({opened} at line {where.line + 1}, column {where.column + 1})"
    return YamlRefusal(line, col, f"YAML syntax error: {words}")
