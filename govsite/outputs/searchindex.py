"""The search index's format: tokens with positions, posting lists, and the files search.js reads.

A page's text, in the canonical form of `search.canonical_text`, is a list of *runs* (of
Han characters, of digits, of other letters). Each run gives tokens at positions:

- a Han run of two or more characters: one token per bigram, at consecutive positions
  (金桥镇 → 金桥 0, 桥镇 1), so any phrase of two or more characters is a sequence of
  bigrams at consecutive positions, whatever a word segmenter would have made of it;
- a Han run of one character: that character;
- a run of digits or letters: the run itself, as one word (3 never finds 13);
- where a Han run meets a run of digits or letters, its first character as `^c` (after
  one) and its last as `c$` (before one), so that `3号` finds `〔2024〕3号文`.

Between runs the position jumps by GAP (2), so bigrams at positions p and p+2 belong to
one run: a four-character phrase is then proven by two bigrams (at 0 and 2) instead of
three, and the browser fetches fewer posting lists. A phrase is found from positions
alone; the browser never reads a page's text to check it.

Postings are encoded as unsigned LEB128 varints: the number of pages, then per page the
page's number as the difference from the previous one (from -1), the number of positions
in the page's *head* (title, 发文字号, 索引号: what weighs more) and in its body, and each
list of positions as differences. Tokens are spread over bucket files (`t/<bucket>.bin`)
by FNV-1a of their UTF-8 bytes; a bucket holds small posting lists whole, and for larger
ones the page ranges of their parts (`p/<token>-<part>.bin`, about PART_BYTES each).
search.js fetches one bucket per token, every part of the query's rarest token, and of
the other tokens only the parts whose pages could still match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

GAP = 2
"""Positions skipped between runs: see the module's docstring."""
_HAN_CHAR = re.compile("[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def is_han(run: str) -> bool:
    return _HAN_CHAR.match(run) is not None


def token_positions(runs: Sequence[str]) -> dict[str, list[int]]:
    """Each token of the canonical `runs` of a text, with its positions in ascending order."""
    found: dict[str, list[int]] = {}
    han = [is_han(run) for run in runs]
    position = 0
    for number, run in enumerate(runs):
        if han[number]:
            length = len(run)
            if length == 1:
                found.setdefault(run, []).append(position)
            else:
                for offset in range(length - 1):
                    found.setdefault(run[offset : offset + 2], []).append(position + offset)
            if number > 0 and not han[number - 1]:
                found.setdefault("^" + run[0], []).append(position)
            if number + 1 < len(runs) and not han[number + 1]:
                found.setdefault(run[-1] + "$", []).append(position + max(length - 2, 0))
            position += max(length - 1, 1)
        else:
            found.setdefault(run, []).append(position)
            position += 1
        position += GAP
    for positions in found.values():
        positions.sort()  # `^c` and `c$` can come after a later bigram of a one-character run
    return found


def varint(value: int, out: bytearray) -> None:
    """Append `value` (≥ 0) to `out` as an unsigned LEB128 varint."""
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def _deltas(positions: Iterable[int], out: bytearray) -> None:
    previous = 0
    for position in positions:
        varint(position - previous, out)
        previous = position


@dataclass(slots=True)
class Segment:
    """One token's postings in one shard: pages numbered from the shard's first page."""

    first: int
    last: int
    count: int
    rest: bytearray
    """Everything after the first page's number (which is rebased when shards are joined)."""


def shard_postings(
    texts: Iterable[tuple[Sequence[str], Sequence[str]]],
) -> dict[str, tuple[int, int, int, bytes]]:
    """The postings of a shard's pages (their head runs and body runs, in page order), per
    token as (first page, last page, pages, bytes after the first page's number)."""
    segments: dict[str, Segment] = {}
    for page, (head_runs, body_runs) in enumerate(texts):
        head = token_positions(head_runs)
        body = token_positions(body_runs)
        for token in sorted(head.keys() | body.keys()):
            segment = segments.get(token)
            if segment is None:
                segment = segments[token] = Segment(page, page, 0, bytearray())
            else:
                varint(page - segment.last, segment.rest)
            in_head = head.get(token, ())
            in_body = body.get(token, ())
            varint(len(in_head), segment.rest)
            varint(len(in_body), segment.rest)
            _deltas(in_head, segment.rest)
            _deltas(in_body, segment.rest)
            segment.last = page
            segment.count += 1
    return {t: (s.first, s.last, s.count, bytes(s.rest)) for t, s in segments.items()}


@dataclass(frozen=True, slots=True)
class Part:
    """A run of a token's postings: pages `first` to `last`, decodable on its own."""

    first: int
    last: int
    data: bytes


def join_shards(
    shards: Sequence[tuple[int, Mapping[str, tuple[int, int, int, bytes]]]],
    part_bytes: int,
) -> Iterator[tuple[str, int, list[Part]]]:
    """Per token, from each shard's (first page number, postings): its page count and its
    postings in parts of about `part_bytes` (cut between shards), in token order."""
    tokens = sorted({token for _, postings in shards for token in postings})
    for token in tokens:
        parts: list[Part] = []
        total = 0
        body = bytearray()
        count = first = previous = -1
        for base, postings in shards:
            segment = postings.get(token)
            if segment is None:
                continue
            start, last, pages, rest = segment
            if count < 0:
                body, count, first, previous = bytearray(), 0, base + start, -1
            varint(base + start - previous, body)
            body += rest
            previous = base + last
            count += pages
            total += pages
            if len(body) >= part_bytes:
                parts.append(_part(first, previous, count, body))
                count = -1
        if count >= 0:
            parts.append(_part(first, previous, count, body))
        yield token, total, parts


def _part(first: int, last: int, count: int, body: bytearray) -> Part:
    out = bytearray()
    varint(count, out)
    return Part(first, last, bytes(out + body))


def fnv1a(token: str) -> int:
    """32-bit FNV-1a of the token's UTF-8 bytes (`bucketOf` in search.js is the same)."""
    value = 0x811C9DC5
    for byte in token.encode():
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def bucket_count(tokens: int) -> int:
    """Buckets for `tokens` tokens: a power of two, about TOKENS_PER_BUCKET tokens each."""
    count = 1
    while count * TOKENS_PER_BUCKET < tokens:
        count *= 2
    return count


TOKENS_PER_BUCKET = 16
INLINE_BYTES = 512
"""Postings up to this size are in the bucket file; larger ones in part files of their own."""
PART_BYTES = 64 * 1024
"""About the size of a part file: a common token's postings come in a few requests, and a
query fetches of the others only the parts (page ranges) where its rarest token is."""


@dataclass(frozen=True, slots=True)
class IndexFiles:
    buckets: dict[int, bytes]
    parts: dict[str, bytes]
    """Part files by name (`<token number>-<part number>`, in hexadecimal and decimal)."""


def index_files(tokens: Iterable[tuple[str, int, list[Part]]], buckets: int) -> IndexFiles:
    """The bucket files and part files of the joined `tokens`.

    A bucket file holds, per token: its UTF-8 length and bytes, its page count, and its
    number of part files. With none, the postings follow (their length, then them); else
    the token's number (which names its part files) and each part's first and last page.
    """
    files: dict[int, bytearray] = {}
    parts: dict[str, bytes] = {}
    for number, (token, pages, token_parts) in enumerate(tokens):
        out = files.setdefault(fnv1a(token) % buckets, bytearray())
        name = token.encode()
        varint(len(name), out)
        out += name
        varint(pages, out)
        if len(token_parts) == 1 and len(token_parts[0].data) <= INLINE_BYTES:
            varint(0, out)
            varint(len(token_parts[0].data), out)
            out += token_parts[0].data
            continue
        varint(len(token_parts), out)
        varint(number, out)
        for index, part in enumerate(token_parts):
            varint(part.first, out)
            varint(part.last, out)
            parts[f"{number:x}-{index}"] = part.data
    return IndexFiles({n: bytes(data) for n, data in files.items()}, parts)
