"""The search index's format: tokens with positions, posting lists, and the files search.js reads.

A page's text, in the canonical form of `search.canonical_text`, is a list of *runs* (of
Han characters, of digits, of other letters). Each run gives tokens at positions:

- a Han run of two or more characters: one token per bigram, at consecutive positions
  (金桥镇 → 金桥 0, 桥镇 1), so any phrase of two or more characters is a sequence of
  bigrams at consecutive positions, whatever a word segmenter would have made of it;
- a Han run of one character: that character;
- a run of digits or letters: the run itself, as one word (3 never finds 13);
- where a Han run meets a run of digits or letters, its first character as `^c` (after
  one) and its last as `c$` (before one), so that `3号` finds `〔2024〕3号文`;
- beside a *common* bigram (on at least COMMON_SHARE of a shard's pages: 关于, 发展), the
  trigrams that hold it and one bigram that is not common (关于规, 衡发展), at the position
  of their first bigram. A phrase is then proven without the long posting list of its
  common bigram: 利局关于规 by 利局关 and 于规, 质均衡发展 by 质均 and 衡发展. Which
  bigrams are common is decided per shard (so a shard is still indexed on its own, and
  kept while its pages are as they were); the join keeps a trigram only where every shard
  that holds both its bigrams decided alike, so every trigram in the index is complete.
  A small shard (under SMALL_SHARD pages) gives every trigram.

Between runs the position jumps by GAP (2), so bigrams at positions p and p+2 belong to
one run: a four-character phrase is then proven by two bigrams (at 0 and 2) instead of
three, and the browser fetches fewer posting lists. A phrase is found from positions
alone; the browser never reads a page's text to check it.

Postings are encoded as unsigned LEB128 varints: the number of pages, then per page the
page's number as the difference from the previous one (from -1), the number of positions
in the page's *head* (title, 发文字号, 索引号: what weighs more) and in its body, and each
list of positions as differences. Tokens are spread over bucket files (`t/<bucket>.bin`)
by FNV-1a of their UTF-8 bytes; a bucket holds small posting lists whole, and for larger
ones the page ranges of their parts (`p/<token>-<part>.bin`, about PART_BYTES each, a
quarter of that for a token on COMMON_SHARE of all pages or more: such a token is rarely a
query's rarest, so it is mostly fetched for a few candidate pages, not whole).
search.js fetches one bucket per bigram, number or word of the query (and one per trigram
that the cheapest cover of a phrase takes), every part of the query's rarest token, and of
the other tokens only the parts whose pages could still match.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass

GAP = 2
"""Positions skipped between runs: see the module's docstring."""
_HAN_CHAR = re.compile("[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def is_han(run: str) -> bool:
    return _HAN_CHAR.match(run) is not None


COMMON_SHARE = 0.2
"""A bigram on at least this share of a shard's pages is common there (see the docstring)."""
SMALL_SHARD = 64
"""A shard of fewer pages gives every trigram: a share of a few pages says little."""


def is_common(pages: int, of: int) -> bool:
    """Whether a token on `pages` of `of` pages is common (the same rule for bigrams in a
    shard and for a token's part size in the whole index)."""
    return pages >= COMMON_SHARE * of


def is_trigram(token: str) -> bool:
    return len(token) == 3 and is_han(token)


def token_positions(
    runs: Sequence[str], common: Set[str] = frozenset(), every_trigram: bool = False
) -> dict[str, list[int]]:
    """Each token of the canonical `runs` of a text, with its positions in ascending order:
    with the trigrams beside the `common` bigrams (or every trigram), as the docstring says."""
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
                if length > 2 and (common or every_trigram):
                    _trigrams(run, position, common, every_trigram, found)
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


def _trigrams(
    run: str, position: int, common: Set[str], every: bool, found: dict[str, list[int]]
) -> None:
    for offset in range(len(run) - 2):
        if every or (run[offset : offset + 2] in common) != (
            run[offset + 1 : offset + 3] in common
        ):
            found.setdefault(run[offset : offset + 3], []).append(position + offset)


def common_bigrams(texts: Sequence[tuple[Sequence[str], Sequence[str]]]) -> frozenset[str]:
    """The bigrams common in a shard of `texts` (head runs and body runs of each page)."""
    counts: Counter[str] = Counter()
    for head, body in texts:
        counts.update(
            {
                run[offset : offset + 2]
                for run in (*head, *body)
                if len(run) > 1 and is_han(run)
                for offset in range(len(run) - 1)
            }
        )
    return frozenset(bigram for bigram, pages in counts.items() if is_common(pages, len(texts)))


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
    pages = list(texts)
    every = len(pages) < SMALL_SHARD
    common = frozenset() if every else common_bigrams(pages)
    segments: dict[str, Segment] = {}
    for page, (head_runs, body_runs) in enumerate(pages):
        head = token_positions(head_runs, common, every)
        body = token_positions(body_runs, common, every)
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


ShardPostings = Mapping[str, tuple[int, int, int, bytes]]


def join_shards(
    shards: Sequence[tuple[int, ShardPostings]], part_bytes: int, pages: int
) -> Iterator[tuple[str, int, list[Part]]]:
    """Per token, from each shard's (first page number, postings) of an index of `pages`
    pages: its page count and its postings in parts of about `part_bytes` (a quarter of
    that for a common token; cut between shards), in token order. A trigram that a shard
    may have left out is left out (see the docstring)."""
    starts = [start for start, _ in shards]
    sizes = [end - start for start, end in zip(starts, [*starts[1:], pages], strict=True)]
    tokens = sorted({token for _, postings in shards for token in postings})
    for token in tokens:
        if is_trigram(token) and not _complete(token, shards, sizes):
            continue
        total = sum(postings[token][2] for _, postings in shards if token in postings)
        size = part_bytes // 4 if is_common(total, pages) else part_bytes
        parts: list[Part] = []
        body = bytearray()
        count = first = previous = -1
        for base, postings in shards:
            segment = postings.get(token)
            if segment is None:
                continue
            start, last, on, rest = segment
            if count < 0:
                body, count, first, previous = bytearray(), 0, base + start, -1
            varint(base + start - previous, body)
            body += rest
            previous = base + last
            count += on
            if len(body) >= size:
                parts.append(_part(first, previous, count, body))
                count = -1
        if count >= 0:
            parts.append(_part(first, previous, count, body))
        yield token, total, parts


def _complete(trigram: str, shards: Sequence[tuple[int, ShardPostings]], sizes: list[int]) -> bool:
    """Whether every shard gave `trigram` wherever it is: each small shard does, and a larger
    one where exactly one of its two bigrams is common there."""
    left, right = trigram[:2], trigram[1:]
    for (_, postings), size in zip(shards, sizes, strict=True):
        first, second = postings.get(left), postings.get(right)
        if (
            size >= SMALL_SHARD
            and first is not None
            and second is not None
            and is_common(first[2], size) == is_common(second[2], size)
        ):
            return False
    return True


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
