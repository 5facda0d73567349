// The search engine of the search page (js/search.js imports it on the first search):
// govsite's static index (govsite/search.py, govsite/searchindex.py) read in the browser.
// A query is cut into the index's tokens (bigrams of Han text, whole numbers and words,
// and trigrams beside a common bigram) with their offsets; one bucket file per token gives its posting list with positions, so
// phrases are matched and counted here without reading any page. `canonicalText` must stay
// the same function as `canonical_text` in govsite/search.py (tests/browser/test_search.py
// runs both on one table of cases).

const HAN_RANGES = [[0x3007, 0x3007], [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xf900, 0xfaff], [0x20000, 0x3134f]];
const FORMAT = 2;
const GAP = 2; // positions skipped between runs (searchindex.py)
const COMMON_SHARE = 0.2; // a bigram on this share of the pages may have trigrams beside it (searchindex.py)
const HEAD_WEIGHT = 10; // a match in the title, 发文字号 or 索引号 counts ten times one in the text
export const FACETS = ["agency", "category", "topic", "year", "validity", "genre"];

function charClass(char) {
  const code = char.codePointAt(0);
  if (HAN_RANGES.some(([low, high]) => low <= code && code <= high)) return "h";
  if (char >= "0" && char <= "9") return "d";
  return /\p{L}/u.test(char) ? "l" : "";
}

// NFKC, lower case, runs of one script (Han, digits, other letters) joined by single spaces.
export function canonicalText(text) {
  const runs = [];
  let current = "";
  let previous = "";
  for (const char of text.normalize("NFKC").toLowerCase()) {
    const kind = charClass(char);
    if (current && kind !== previous) {
      runs.push(current);
      current = "";
    }
    if (kind) current += char;
    previous = kind;
  }
  if (current) runs.push(current);
  return runs.join(" ");
}

const isHan = (run) => charClass(run) === "h";

// The phrases a query asks for, each a list of runs: whitespace separates them, and so does
// punctuation between two runs of Han text (between Han text and a number it is kept, so
// that 国办发2024 finds 国办发〔2024〕). A lone Han character is too short to look for.
export function phrasesOf(query) {
  const phrases = [];
  for (const term of query.split(/\s+/)) {
    let current = [];
    for (const run of canonicalText(term).split(" ").filter(Boolean)) {
      if (current.length && isHan(run) && isHan(current[current.length - 1])) {
        phrases.push(current);
        current = [];
      }
      current.push(run);
    }
    if (current.length) phrases.push(current);
  }
  return phrases.filter((runs) => !(runs.length === 1 && isHan(runs[0]) && Array.from(runs[0]).length === 1));
}

// Where a phrase's tokens stand, as searchindex.py places them: [token, offset] pairs that
// must all be there (numbers, words, lone characters), and chains of bigrams (a Han run:
// bigram i at offset + i), of which a cover is enough.
function layout(runs) {
  const fixed = [];
  const chains = [];
  let offset = 0;
  runs.forEach((run, index) => {
    const chars = Array.from(run);
    if (!isHan(run)) {
      fixed.push([run, offset]);
      offset += 1;
    } else if (chars.length === 1) {
      let token = run;
      if (index === 0 && runs.length > 1) token = run + "$";
      else if (index === runs.length - 1 && index > 0) token = "^" + run;
      fixed.push([token, offset]);
      offset += 1;
    } else {
      chains.push([offset, chars.slice(1).map((char, i) => chars[i] + char)]);
      offset += chars.length - 1;
    }
    offset += GAP;
  });
  return { fixed, chains };
}

// Every token that could prove the phrase of `runs`.
export function candidateTokens(runs) {
  const { fixed, chains } = layout(runs);
  return [...fixed.map(([token]) => token), ...chains.flatMap(([, bigrams]) => bigrams)];
}

// The trigrams of the phrase of `runs` that the index may hold: [trigram, its two bigrams].
export function trigramTokens(runs) {
  return layout(runs).chains.flatMap(([, bigrams]) =>
    bigrams.slice(1).map((bigram, i) => [bigrams[i] + Array.from(bigram)[1], bigrams[i], bigram]));
}

// The [token, offset] pairs that prove the phrase of `runs` at least `cost`: of each chain,
// bigrams (each covers itself) and trigrams (each covers two bigrams in a row) that cover its
// first and last bigram and between them never leave two bigrams in a row out (bigrams one
// or two apart are in one run, so every character is covered, in place). A trigram the
// index does not hold costs Infinity.
export function phraseTokens(runs, cost = () => 1) {
  const { fixed, chains } = layout(runs);
  const tokens = [...fixed];
  for (const [offset, bigrams] of chains) {
    const options = []; // [token, first bigram, last bigram], by their last bigram
    bigrams.forEach((bigram, i) => {
      options.push([bigram, i, i]);
      if (i > 0) options.push([bigrams[i - 1] + Array.from(bigram)[1], i - 1, i]);
    });
    const best = []; // by bigram i: the least cost of a cover of bigrams 0 to i ending at i
    const from = []; // the option it ends with, and the bigram where the cover before it ends
    for (const [index, [token, first, last]] of options.entries()) {
      let before = first === 0 ? -1 : last - 1; // on a tie, the cover that ends nearest
      for (let end = last - 2; first > 0 && end >= Math.max(first - 2, 0); end--) {
        if (best[end] < best[before]) before = end;
      }
      const total = cost(token) + (before < 0 ? 0 : best[before]);
      if (best[last] === undefined || total < best[last]) {
        best[last] = total;
        from[last] = [index, before];
      }
    }
    for (let i = bigrams.length - 1; i >= 0; ) {
      const [index, before] = from[i];
      tokens.push([options[index][0], offset + options[index][1]]);
      i = before;
    }
  }
  return tokens;
}

// 32-bit FNV-1a of the token's UTF-8 bytes (searchindex.fnv1a).
export function bucketOf(token, buckets) {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(token)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash % buckets;
}

class Reader {
  constructor(buffer) {
    this.bytes = new Uint8Array(buffer);
    this.at = 0;
  }
  varint() {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = this.bytes[this.at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
      shift += 7;
    }
  }
  values(count) {
    return Array.from({ length: count }, () => this.varint());
  }
  positions(count) {
    const found = new Array(count);
    let previous = 0;
    for (let i = 0; i < count; i++) found[i] = previous += this.varint();
    return found;
  }
}

// A token's postings: page number → [positions in the head, positions in the text].
function readPostings(bytes) {
  const reader = new Reader(bytes);
  const postings = new Map();
  let page = -1;
  for (let count = reader.varint(); count > 0; count--) {
    page += reader.varint();
    const inHead = reader.varint();
    const inBody = reader.varint();
    postings.set(page, [reader.positions(inHead), reader.positions(inBody)]);
  }
  return postings;
}

// The entries of the tokens a bucket file holds that are in `wanted` (searchindex.index_files):
// {pages, postings} for a small posting list, {pages, id, parts: [[first, last], …]} for a larger one.
function readBucket(buffer, wanted, into) {
  const reader = new Reader(buffer);
  const decoder = new TextDecoder();
  while (reader.at < reader.bytes.length) {
    const nameLength = reader.varint();
    const name = decoder.decode(reader.bytes.subarray(reader.at, reader.at + nameLength));
    reader.at += nameLength;
    const entry = { pages: reader.varint() };
    const parts = reader.varint();
    if (parts === 0) {
      const length = reader.varint();
      if (wanted.has(name)) entry.postings = readPostings(reader.bytes.subarray(reader.at, reader.at + length));
      reader.at += length;
    } else {
      entry.id = reader.varint();
      entry.parts = Array.from({ length: parts }, () => [reader.varint(), reader.varint()]);
    }
    if (wanted.has(name)) into.set(name, entry);
  }
}

// How often a phrase's tokens stand at their offsets on `page`: [in the head, in the text].
function occurrences(tokens, postings, page) {
  const lists = tokens.map(([token]) => postings.get(token).get(page));
  return [0, 1].map((field) => {
    let count = 0;
    for (const start of lists[0][field]) {
      const origin = start - tokens[0][1];
      if (tokens.every(([, offset], i) => lists[i][field].includes(origin + offset))) count++;
    }
    return count;
  });
}


// A pattern finding a phrase's runs in readable text, whatever separates them there.
export function runsPattern(runs) {
  const escaped = runs.map((run) => run.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(escaped.join("[^\\p{L}\\p{N}]*"), "giu");
}


export class Index {
  // `early`: the manifest's response, if its fetch was started already.
  constructor(base, early = null) {
    this.base = base;
    this.early = early;
    this.manifest = null;
    this.buckets = new Map();
    this.parts = new Map();
    this.blocks = new Map();
    this.results = new Map();
  }

  async fetchFile(path, kind, early = null) {
    const response = await (early || fetch(new URL(path, this.base)));
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return kind === "json" ? response.json() : response.arrayBuffer();
  }

  async load() {
    if (!this.manifest) {
      this.manifest = this.fetchFile("manifest.json", "json", this.early).then((manifest) => {
        if (manifest.format !== FORMAT) throw new Error(`search index format ${manifest.format}`);
        return manifest;
      });
    }
    return this.manifest;
  }

  // The bucket entries of `tokens` (one bucket file fetched per bucket, and kept): token →
  // {pages, postings} or {pages, id, parts}; a token that is nowhere is left out.
  async entries(tokens) {
    const manifest = await this.load();
    const byBucket = new Map();
    for (const token of tokens) {
      const bucket = bucketOf(token, manifest.buckets);
      if (!byBucket.has(bucket)) byBucket.set(bucket, new Set());
      byBucket.get(bucket).add(token);
    }
    const entries = new Map();
    await Promise.all(Array.from(byBucket, async ([bucket, wanted]) => {
      if (!this.buckets.has(bucket)) this.buckets.set(bucket, this.fetchFile(`t/${bucket.toString(16)}.bin`));
      readBucket(await this.buckets.get(bucket), wanted, entries);
    }));
    return entries;
  }

  // The postings of `tokens` on the pages that could hold them all, rarest token first: all
  // of its parts, then of each next one only the parts whose pages are still candidates.
  async postings(tokens, entries) {
    const found = new Map();
    let candidates = null;
    const order = Array.from(tokens).sort((a, b) => entries.get(a).pages - entries.get(b).pages);
    // A list in one part is fetched at once, beside the rarest: that part would be fetched
    // anyway, unless no page is left before its turn.
    for (const token of order) if (entries.get(token).parts?.length === 1) this.entryPostings(entries.get(token), null);
    for (const token of order) {
      const postings = await this.entryPostings(entries.get(token), candidates && Array.from(candidates));
      found.set(token, postings);
      candidates = new Set(Array.from(postings.keys()).filter((page) => !candidates || candidates.has(page)));
      if (!candidates.size) break;
    }
    return found;
  }

  // An entry's postings: all of them, or (given `pages`, ascending) the parts that hold one of them.
  async entryPostings(entry, pages) {
    if (entry.postings) return entry.postings;
    const wanted = entry.parts
      .map(([first, last], index) => [first, last, index])
      .filter(([first, last]) => !pages || pages.some((page) => first <= page && page <= last));
    const postings = new Map();
    const parts = await Promise.all(wanted.map(([, , index]) => {
      const name = `p/${entry.id.toString(16)}-${index}.bin`;
      if (!this.parts.has(name)) this.parts.set(name, this.fetchFile(name).then(readPostings));
      return this.parts.get(name);
    }));
    for (const part of parts) for (const [page, positions] of part) postings.set(page, positions);
    return postings;
  }

  // Facet rows of `pages` (facet → value numbers, per page), fetching the blocks they are in.
  async rows(pages) {
    const manifest = await this.load();
    const size = manifest.blockPages;
    const needed = new Set(Array.from(pages, (page) => Math.floor(page / size)));
    await Promise.all(Array.from(needed, (block) => {
      if (!this.blocks.has(block)) {
        this.blocks.set(block, this.fetchFile(`f/${block}.bin`).then((buffer) => {
          const reader = new Reader(buffer);
          const rows = [];
          while (reader.at < reader.bytes.length) rows.push(FACETS.map(() => reader.values(reader.varint())));
          return rows;
        }));
      }
      return this.blocks.get(block);
    }));
    const rows = new Map();
    for (const page of pages) rows.set(page, (await this.blocks.get(Math.floor(page / size)))[page % size]);
    return rows;
  }

  result(page) {
    if (!this.results.has(page)) this.results.set(page, this.fetchFile(`d/${page}.json`, "json"));
    return this.results.get(page);
  }
}


// Add to `entries` (of the query's bigrams) the trigrams that the cheapest covers of its
// phrases take: a phrase proven by them needs none of its common bigrams' long posting lists.
// Only a trigram beside a common bigram can be in the index; until it is looked up, it is
// guessed to be on as many pages as its rarer bigram (at most that), and only the trigrams
// of the cheapest covers are looked up (one bucket each), until these are all known.
async function addTrigrams(index, runs, entries, pages) {
  const pagesOf = (token) => (entries.has(token) ? entries.get(token).pages : Infinity);
  const common = (token) => entries.has(token) && pagesOf(token) >= COMMON_SHARE * pages;
  const guesses = new Map();
  for (const [trigram, left, right] of runs.flatMap(trigramTokens)) {
    if (common(left) || common(right)) guesses.set(trigram, Math.min(pagesOf(left), pagesOf(right)));
  }
  const looked = new Set();
  const cost = (token) => (looked.has(token) ? pagesOf(token) : (guesses.get(token) ?? pagesOf(token)));
  for (;;) {
    const wanted = runs.flatMap((phrase) => phraseTokens(phrase, cost))
      .map(([token]) => token)
      .filter((token) => guesses.has(token) && !looked.has(token));
    if (!wanted.length) return;
    for (const token of wanted) looked.add(token);
    for (const [token, entry] of await index.entries(new Set(wanted))) entries.set(token, entry);
  }
}

// Pages with every phrase of `query` that pass the `chosen` filters (filter number → set of
// values), best first: {pages, all (before the filters), tooShort}.
export async function find(index, query, chosen) {
  const manifest = await index.load();
  const runs = phrasesOf(query);
  let all;
  if (!runs.length) {
    if (query) return { pages: [], all: [], tooShort: true };
    all = Array.from({ length: manifest.pages }, (_, page) => page);
  } else {
    const entries = await index.entries(new Set(runs.flatMap(candidateTokens)));
    // Every bigram of a phrase is in the index where the phrase is: one that is nowhere ends it.
    if (runs.flatMap(candidateTokens).some((token) => !entries.has(token))) return { pages: [], all: [], tooShort: false };
    await addTrigrams(index, runs, entries, manifest.pages);
    const cost = (token) => (entries.has(token) ? entries.get(token).pages : Infinity);
    const phrases = runs.map((phrase) => phraseTokens(phrase, cost));
    const tokens = new Set(phrases.flat().map(([token]) => token));
    if (Array.from(tokens).some((token) => !entries.has(token))) return { pages: [], all: [], tooShort: false };
    const postings = await index.postings(tokens, entries);
    // The whole query, from the tokens fetched, for the ranking (none: it is not there).
    const whole = phraseTokens(runs.flat(), (token) => (postings.has(token) ? 0 : 1e9));
    all = match(phrases, whole, postings);
  }
  const wanted = numbered(manifest, chosen);
  if (!wanted.size) return { pages: all, all, tooShort: false };
  const rows = await index.rows(all);
  return { pages: all.filter((page) => passes(rows.get(page), wanted, -1)), all, tooShort: false };
}

// How many of `pages` have each value of each filter, counting the other filters' choices.
export async function counts(index, pages, chosen) {
  const manifest = await index.load();
  const rows = await index.rows(pages);
  const wanted = numbered(manifest, chosen);
  const found = FACETS.map((name) => new Map(manifest.facets[name].map((value) => [value, 0])));
  for (const page of pages) {
    const row = rows.get(page);
    FACETS.forEach((name, facet) => {
      if (!passes(row, wanted, facet)) return;
      for (const value of row[facet]) {
        const key = manifest.facets[name][value];
        found[facet].set(key, found[facet].get(key) + 1);
      }
    });
  }
  return found;
}

// The chosen filter values as the manifest numbers them.
function numbered(manifest, chosen) {
  const wanted = new Map();
  for (const [facet, values] of chosen) {
    const known = manifest.facets[FACETS[facet]];
    wanted.set(facet, new Set(Array.from(values, (value) => known.indexOf(value))));
  }
  return wanted;
}

function passes(row, wanted, except) {
  for (const [facet, values] of wanted) {
    if (facet !== except && !row[facet].some((value) => values.has(value))) return false;
  }
  return true;
}

// The pages where every phrase stands, ranked: the whole query in the head, then in the
// text, then the rest; more (weighted) occurrences first; then newest first.
function match(phrases, whole, postings) {
  if (phrases.some((tokens) => tokens.some(([token]) => !postings.has(token)))) return [];
  const lists = phrases.flat().map(([token]) => postings.get(token));
  const smallest = lists.reduce((a, b) => (b.size < a.size ? b : a));
  const wholeKnown = whole.every(([token]) => postings.has(token));
  const scores = new Map();
  for (const page of smallest.keys()) {
    if (!lists.every((list) => list.has(page))) continue;
    let score = 0;
    for (const tokens of phrases) {
      const [head, body] = occurrences(tokens, postings, page);
      if (!head && !body) {
        score = -1;
        break;
      }
      score += HEAD_WEIGHT * head + body;
    }
    if (score < 0) continue;
    let tier = 2;
    if (wholeKnown && whole.every(([token]) => postings.get(token).has(page))) {
      const [head, body] = occurrences(whole, postings, page);
      tier = head ? 0 : body ? 1 : 2;
    }
    scores.set(page, [tier, score]);
  }
  const rank = (a, b) => scores.get(a)[0] - scores.get(b)[0] || scores.get(b)[1] - scores.get(a)[1] || a - b;
  return Array.from(scores.keys()).sort(rank);
}
