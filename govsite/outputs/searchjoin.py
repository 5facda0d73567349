"""The search index's token files (`t/`, `p/`) from the shards' postings: joined whole, or
brought up to date by joining again only the tokens that changed shards touch.

A join of every shard (`join_all`) is what a build of everything does, and what every
update would otherwise do: read every shard's postings and join every token again,
although an edit of a few pages changes the postings of the tokens on those pages only.
So the join is kept (`Join`, in the build cache beside the shards' postings): the shards
it was made of, and per token the shards that hold it and on how many of their pages.
When the index's pages are numbered as they were (no page added, removed or moved to
another shard), `join_changed` joins again only

- the tokens whose postings differ in a changed shard (each from the postings of the
  shards holding it), and
- the trigrams whose completeness (searchindex.blocks) may have changed: those holding a
  bigram that came, went, or became common or not in a changed shard,

and writes again only their bucket files and part files, and the part files renamed in
those buckets (a part file's number is its token's rank in its bucket:
searchindex.part_number). Every other file is the folder's own. The files are those a
join of everything makes, byte for byte (tests/unit/test_search.py).
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govsite.outputs.searchindex import (
    PART_BYTES,
    Entry,
    Part,
    bucket_count,
    entry_of,
    fnv1a,
    index_files,
    is_common,
    is_han,
    is_trigram,
    join_shards,
    join_token,
    part_name,
    part_number,
    read_bucket,
    write_entry,
)
from govsite.outputs.searchindex import blocks as shard_blocks

Postings = Mapping[str, tuple[int, int, int, bytes]]
Shard = tuple[int, int, str]
"""A shard's first and end page numbers and key (a digest of its pages)."""
Wanted = dict[str, tuple[str, bytes | None]]
"""Files of the index by name in it: SHA-256 (hex) and bytes (None: the folder holds them)."""


@dataclass(frozen=True, slots=True)
class Join:
    """What the last join was made of and made."""

    shards: tuple[Shard, ...]
    tokens: int
    """How many tokens the index holds (which says how many bucket files it has)."""
    holders: dict[str, bytes]
    """Every token of any shard (a trigram the index leaves out too): the shards holding it
    (by number) and on how many of their pages, as pairs of unsigned ints (array "I")."""
    files: str
    """`digest_of` the token files it made (a folder holding other files is not its)."""

    def as_data(self) -> tuple[list[Shard], int, dict[str, bytes], str]:
        """The join as marshal keeps it (`from_data` reads it back)."""
        return (list(self.shards), self.tokens, self.holders, self.files)

    @staticmethod
    def from_data(data: Any) -> Join | None:
        """The join kept as `as_data`, or None if it is of another shape (damaged)."""
        try:
            shards, tokens, holders, files = data
            kept = tuple((int(start), int(end), str(key)) for start, end, key in shards)
        except (TypeError, ValueError):
            return None
        if not (isinstance(tokens, int) and isinstance(holders, dict) and isinstance(files, str)):
            return None
        return Join(kept, tokens, holders, files)


def digest_of(files: Mapping[str, str]) -> str:
    """A digest of the token files among `files` (name → SHA-256): their names and digests."""
    lines = sorted(f"{name} {sha}\n" for name, sha in files.items() if _is_token_file(name))
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def _is_token_file(name: str) -> bool:
    return name.startswith(("t/", "p/"))


def join_all(
    shards: Sequence[Shard], postings: Sequence[Postings], pages: int
) -> tuple[Wanted, Join]:
    """The token files of an index of `pages` pages from every shard's postings, and the join
    to keep."""
    tokens = list(
        join_shards(
            [(start, found) for (start, _, _), found in zip(shards, postings, strict=True)],
            PART_BYTES,
            pages,
        )
    )
    buckets = bucket_count(len(tokens))
    files = index_files(tokens, buckets)
    count = len(tokens)
    del tokens
    wanted: Wanted = {}
    for number, data in sorted(files.buckets.items()):
        wanted[f"t/{number:x}.bin"] = _sha256(data), data
    for name, data in sorted(files.parts.items()):
        wanted[f"p/{name}.bin"] = _sha256(data), data
    digest = digest_of({name: sha for name, (sha, _) in wanted.items()})
    return wanted, Join(tuple(shards), count, _holders(postings), digest)


def _holders(postings: Sequence[Postings]) -> dict[str, bytes]:
    found: dict[str, array[int]] = {}
    for number, shard in enumerate(postings):
        for token, segment in shard.items():
            pairs = found.get(token)
            if pairs is None:
                pairs = found[token] = array("I")
            pairs.append(number)
            pairs.append(segment[2])
    return {token: pairs.tobytes() for token, pairs in found.items()}


def join_changed(
    last: Join,
    shards: tuple[Shard, ...],
    changed: Mapping[int, tuple[Postings, Postings]],
    load: Callable[[int], Postings],
    bundle: Path,
    had: Mapping[str, str],
) -> tuple[Wanted, Join] | None:
    """The token files of `shards` after those in `changed` (by number: their postings in
    the `last` join, and now) changed, the others as they were; or None when only a join of
    everything can say (the tokens need another number of buckets, or a bucket file in
    `bundle` is not the one `had` says).

    `last` must describe the token files `had` holds (`digest_of`), and `shards` be laid out
    as its shards were (the same page numbers). `load` gives a shard's postings now."""
    pages = shards[-1][1]
    sizes = [end - start for start, end, _ in shards]
    holders = dict(last.holders)
    touched: set[str] = set()
    moved: set[str] = set()  # bigrams whose standing in a changed shard changed
    for number, (old, new) in changed.items():
        for token in old.keys() | new.keys():
            before, after = old.get(token), new.get(token)
            if before == after:
                continue
            touched.add(token)
            holders[token] = _with(holders.get(token, b""), number, after)
            size = sizes[number]
            if _is_bigram(token) and _standing(before, size) != _standing(after, size):
                moved.add(token)
    for token in touched:
        if not holders[token]:
            del holders[token]
    buckets = bucket_count(last.tokens)
    candidates: dict[int, set[str]] = {}
    for token in touched | _trigrams_of(moved, holders):
        candidates.setdefault(fnv1a(token) % buckets, set()).add(token)
    olds: dict[int, list[Entry]] = {}
    news: dict[int, dict[str, Entry]] = {}
    joined: dict[str, list[Part]] = {}
    count = last.tokens
    for bucket, tokens in candidates.items():
        entries = _read_entries(bundle, had, bucket)
        if entries is None:
            return None
        olds[bucket] = entries
        news[bucket] = {entry.token: entry for entry in entries}
        for token in tokens:
            was = news[bucket].pop(token, None)
            pairs = _pairs(holders.get(token, b""))
            if not pairs or (is_trigram(token) and not _complete(token, holders, sizes)):
                count -= was is not None
                continue
            count += was is None
            if was is not None and token not in touched:
                news[bucket][token] = was  # a trigram still complete: as it was
                continue
            segments = [(shards[shard][0], load(shard)[token]) for shard in pairs]
            total = sum(on for on in pairs.values())
            joined[token] = join_token(segments, total, PART_BYTES, pages)
            news[bucket][token] = entry_of(token, total, joined[token])
    if bucket_count(count) != buckets:
        return None
    wanted: Wanted = {name: (sha, None) for name, sha in had.items() if _is_token_file(name)}
    for bucket, entries in olds.items():
        made = _bucket_files(bucket, buckets, entries, news[bucket], joined, had, wanted)
        if not made:
            return None
    digest = digest_of({name: sha for name, (sha, _) in wanted.items()})
    return wanted, Join(shards, count, holders, digest)


def _bucket_files(
    bucket: int,
    buckets: int,
    old: Sequence[Entry],
    new: Mapping[str, Entry],
    joined: Mapping[str, Sequence[Part]],
    had: Mapping[str, str],
    wanted: Wanted,
) -> bool:
    """Put into `wanted` the bucket file of `new` entries and their part files, in place of
    the `old` ones': the parts of a token joined again as `joined` has them, the others'
    (perhaps under another number) the files `had` holds. False if one of those is missing."""
    name = f"t/{bucket:x}.bin"
    wanted.pop(name, None)
    for entry in old:
        for index in range(len(entry.ranges)):
            wanted.pop(f"p/{part_name(entry.number, index)}.bin", None)
    out = bytearray()
    rank = -1
    for token in sorted(new):
        entry = new[token]
        number = -1
        if entry.inline is None:
            rank += 1
            number = part_number(bucket, rank, buckets)
            parts = joined.get(token)
            for index in range(len(entry.ranges)):
                part = f"p/{part_name(number, index)}.bin"
                if parts is not None:
                    wanted[part] = _sha256(parts[index].data), parts[index].data
                    continue
                sha = had.get(f"p/{part_name(entry.number, index)}.bin")
                if sha is None:
                    return False
                wanted[part] = sha, None
        write_entry(entry, number, out)
    if out:
        wanted[name] = _sha256(bytes(out)), bytes(out)
    return True


def _read_entries(bundle: Path, had: Mapping[str, str], bucket: int) -> list[Entry] | None:
    """The entries of a bucket file the folder holds (none if it has no such file), or None
    if its bytes are not those `had` says."""
    name = f"t/{bucket:x}.bin"
    sha = had.get(name)
    if sha is None:
        return []
    try:
        data = (bundle / name).read_bytes()
    except OSError:
        return None
    return read_bucket(data) if _sha256(data) == sha else None


def _is_bigram(token: str) -> bool:
    return len(token) == 2 and is_han(token)


def _standing(segment: tuple[int, int, int, bytes] | None, size: int) -> bool | None:
    """What a shard of `size` pages says of a bigram with this segment for the completeness of
    the trigrams holding it: nothing where it is not, else whether it is common there."""
    return None if segment is None else is_common(segment[2], size)


def _trigrams_of(bigrams: set[str], holders: Iterable[str]) -> set[str]:
    """The trigrams among `holders` that hold one of `bigrams`."""
    if not bigrams:
        return set()
    return {
        token
        for token in holders
        if len(token) == 3 and (token[:2] in bigrams or token[1:] in bigrams) and is_trigram(token)
    }


def _complete(trigram: str, holders: Mapping[str, bytes], sizes: Sequence[int]) -> bool:
    """Whether every shard gave `trigram` wherever it is (searchindex.blocks)."""
    right = _pairs(holders.get(trigram[1:], b""))
    for shard, pages in _pairs(holders.get(trigram[:2], b"")).items():
        other = right.get(shard)
        if other is not None and shard_blocks(sizes[shard], pages, other):
            return False
    return True


def _pairs(data: bytes) -> dict[int, int]:
    """Holders as a dict: shard number → pages, in shard order."""
    values = array("I")
    values.frombytes(data)
    return dict(zip(values[::2], values[1::2], strict=True))


def _with(data: bytes, shard: int, segment: tuple[int, int, int, bytes] | None) -> bytes:
    """Holders with `shard` holding the token on the pages of `segment` (or not, if None)."""
    pairs = _pairs(data)
    if segment is None:
        pairs.pop(shard, None)
    else:
        pairs[shard] = segment[2]
    values = array("I")
    for number in sorted(pairs):
        values.append(number)
        values.append(pairs[number])
    return values.tobytes()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
