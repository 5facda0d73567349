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
ones the page ranges of their parts (`p/<number>-<part>.bin`, about PART_BYTES each, a
quarter of that for a token on COMMON_SHARE of all pages or more: such a token is rarely a
query's rarest, so it is mostly fetched for a few candidate pages, not whole). The number
that names a token's part files is written in its bucket entry; it says where the token
stands in its bucket (`part_number`), not in the whole index, so that a token added or
removed renames no part file of another bucket.
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
    pages: its page count and its postings in parts (`join_token`), in token order. A
    trigram that a shard may have left out is left out (see the docstring)."""
    starts = [start for start, _ in shards]
    sizes = [end - start for start, end in zip(starts, [*starts[1:], pages], strict=True)]
    tokens = sorted({token for _, postings in shards for token in postings})
    for token in tokens:
        if is_trigram(token) and not _complete(token, shards, sizes):
            continue
        segments = [(base, postings[token]) for base, postings in shards if token in postings]
        total = sum(segment[2] for _, segment in segments)
        yield token, total, join_token(segments, total, part_bytes, pages)


def join_token(
    segments: Iterable[tuple[int, tuple[int, int, int, bytes]]],
    total: int,
    part_bytes: int,
    pages: int,
) -> list[Part]:
    """A token's postings in an index of `pages` pages, from its segments in each shard that
    holds it ((shard's first page number, segment), in page order) on `total` pages in all:
    in parts of about `part_bytes` (a quarter of that for a common token), cut between shards.

    A part ends after the first shard that makes it `part_bytes` long, and the next starts
    afresh (its first page counted from -1): a part depends only on the segments in it and
    on where the part before it ended."""
    size = part_bytes // 4 if is_common(total, pages) else part_bytes
    parts: list[Part] = []
    body = bytearray()
    count = first = previous = -1
    for base, (start, last, on, rest) in segments:
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
    return parts


def _complete(trigram: str, shards: Sequence[tuple[int, ShardPostings]], sizes: list[int]) -> bool:
    """Whether every shard gave `trigram` wherever it is (see `blocks`)."""
    left, right = trigram[:2], trigram[1:]
    for (_, postings), size in zip(shards, sizes, strict=True):
        first, second = postings.get(left), postings.get(right)
        if first is not None and second is not None and blocks(size, first[2], second[2]):
            return False
    return True


def blocks(size: int, left: int, right: int) -> bool:
    """Whether a shard of `size` pages, where a trigram's left bigram is on `left` pages and
    its right one on `right`, may have left the trigram out: each small shard gives every
    trigram, and a larger one those where exactly one of the two bigrams is common there."""
    return size >= SMALL_SHARD and is_common(left, size) == is_common(right, size)


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
    """Part files by name (`part_name`)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """A token's entry in its bucket file: its page count, and its postings (`inline`, when
    small) or the page range of each of its parts."""

    token: str
    pages: int
    inline: bytes | None
    ranges: tuple[tuple[int, int], ...] = ()
    number: int = -1
    """The number naming its part files, when read from a bucket file (`part_number`)."""


def entry_of(token: str, pages: int, parts: Sequence[Part]) -> Entry:
    """The bucket entry of a token on `pages` pages with these postings' `parts`."""
    if len(parts) == 1 and len(parts[0].data) <= INLINE_BYTES:
        return Entry(token, pages, parts[0].data)
    return Entry(token, pages, None, tuple((part.first, part.last) for part in parts))


def part_number(bucket: int, rank: int, buckets: int) -> int:
    """The number naming the part files of the `rank`-th token (from 0, in token order) with
    part files in `bucket`, of `buckets`.

    It depends on the tokens of that bucket only (not on the number of every token before
    it in the whole index), so a token added or removed renames at most the part files of
    the tokens after it in its own bucket, and an update rewrites only the buckets of the
    tokens it touches (searchjoin.py)."""
    return bucket + buckets * rank


def part_name(number: int, index: int) -> str:
    """The name of a token's `index`-th part file, without folder and suffix (search.js
    makes the same name)."""
    return f"{number:x}-{index}"


def write_entry(entry: Entry, number: int, out: bytearray) -> None:
    """Append `entry` to a bucket file's bytes, its part files named by `number`.

    Per token: its UTF-8 length and bytes, its page count, and its number of part files.
    With none, the postings follow (their length, then them); else the number that names
    its part files and each part's first and last page."""
    name = entry.token.encode()
    varint(len(name), out)
    out += name
    varint(entry.pages, out)
    if entry.inline is not None:
        varint(0, out)
        varint(len(entry.inline), out)
        out += entry.inline
        return
    varint(len(entry.ranges), out)
    varint(number, out)
    for first, last in entry.ranges:
        varint(first, out)
        varint(last, out)


def read_bucket(data: bytes) -> list[Entry]:
    """The entries of a bucket file, in its order (`readBucket` in search.js reads the same)."""
    entries: list[Entry] = []
    at = 0
    while at < len(data):
        length, at = read_varint(data, at)
        token = data[at : at + length].decode()
        pages, at = read_varint(data, at + length)
        parts, at = read_varint(data, at)
        if parts == 0:
            length, at = read_varint(data, at)
            entries.append(Entry(token, pages, data[at : at + length]))
            at += length
            continue
        number, at = read_varint(data, at)
        ranges = []
        for _ in range(parts):
            first, at = read_varint(data, at)
            last, at = read_varint(data, at)
            ranges.append((first, last))
        entries.append(Entry(token, pages, None, tuple(ranges), number))
    return entries


def read_varint(data: bytes, at: int) -> tuple[int, int]:
    """The unsigned LEB128 varint at `at` in `data`, and where the next value starts."""
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7


def index_files(tokens: Iterable[tuple[str, int, list[Part]]], buckets: int) -> IndexFiles:
    """The bucket files (`write_entry`) and part files of the joined `tokens`, in token order."""
    files: dict[int, bytearray] = {}
    ranks: dict[int, int] = {}
    parts: dict[str, bytes] = {}
    for token, pages, token_parts in tokens:
        bucket = fnv1a(token) % buckets
        entry = entry_of(token, pages, token_parts)
        number = -1
        if entry.inline is None:
            rank = ranks[bucket] = ranks.get(bucket, -1) + 1
            number = part_number(bucket, rank, buckets)
            for index, part in enumerate(token_parts):
                parts[part_name(number, index)] = part.data
        write_entry(entry, number, files.setdefault(bucket, bytearray()))
    return IndexFiles({n: bytes(data) for n, data in files.items()}, parts)
