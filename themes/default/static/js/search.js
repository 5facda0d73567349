// The search page (templates/search.html) on govsite's static index (govsite/search.py,
// govsite/searchindex.py). A query is cut into the index's tokens (bigrams of Han text,
// whole numbers and words) with their offsets; one bucket file per token gives its posting
// list with positions, so phrases are matched and counted here without reading any page.
// Only the results shown are fetched (one small file each); facet rows only to filter or
// to count. `canonicalText` must stay the same function as `canonical_text` in
// govsite/search.py (tests/browser/test_search.py runs both on one table of cases).
"use strict";

(() => {
  const HAN_RANGES = [[0x3007, 0x3007], [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xf900, 0xfaff], [0x20000, 0x3134f]];
  const FORMAT = 1;
  const GAP = 2; // positions skipped between runs (searchindex.py)
  const HEAD_WEIGHT = 10; // a match in the title, 发文字号 or 索引号 counts ten times one in the text
  const PAGE_SIZE = 10;
  const FACETS = ["agency", "category", "topic", "year", "validity", "genre"];
  const EXCERPT_BEFORE = 30;
  const EXCERPT_LENGTH = 120;

  function charClass(char) {
    const code = char.codePointAt(0);
    if (HAN_RANGES.some(([low, high]) => low <= code && code <= high)) return "h";
    if (char >= "0" && char <= "9") return "d";
    return /\p{L}/u.test(char) ? "l" : "";
  }

  // NFKC, lower case, runs of one script (Han, digits, other letters) joined by single spaces.
  function canonicalText(text) {
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
  function phrasesOf(query) {
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

  // The [token, offset] pairs that prove a phrase, as searchindex.py places tokens: of a Han
  // run, the bigrams at even offsets and the last one (bigrams two apart are in one run).
  function phraseTokens(runs) {
    const tokens = [];
    let offset = 0;
    runs.forEach((run, index) => {
      const chars = Array.from(run);
      if (!isHan(run)) {
        tokens.push([run, offset]);
        offset += 1;
      } else if (chars.length === 1) {
        let token = run;
        if (index === 0 && runs.length > 1) token = run + "$";
        else if (index === runs.length - 1 && index > 0) token = "^" + run;
        tokens.push([token, offset]);
        offset += 1;
      } else {
        const last = chars.length - 2;
        for (let i = 0; i <= last; i++) {
          if (i % 2 === 0 || i === last) tokens.push([chars[i] + chars[i + 1], offset + i]);
        }
        offset += chars.length - 1;
      }
      offset += GAP;
    });
    return tokens;
  }

  // 32-bit FNV-1a of the token's UTF-8 bytes (searchindex.fnv1a).
  function bucketOf(token, buckets) {
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

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
  }

  // A pattern finding a phrase's runs in readable text, whatever separates them there.
  function runsPattern(runs) {
    const escaped = runs.map((run) => run.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    return new RegExp(escaped.join("[^\\p{L}\\p{N}]*"), "giu");
  }

  class Index {
    constructor(base) {
      this.base = base;
      this.manifest = null;
      this.buckets = new Map();
      this.parts = new Map();
      this.blocks = new Map();
      this.results = new Map();
    }

    async fetchFile(path, kind) {
      const response = await fetch(new URL(path, this.base));
      if (!response.ok) throw new Error(`${path}: ${response.status}`);
      return kind === "json" ? response.json() : response.arrayBuffer();
    }

    async load() {
      if (!this.manifest) {
        this.manifest = this.fetchFile("manifest.json", "json").then((manifest) => {
          if (manifest.format !== FORMAT) throw new Error(`search index format ${manifest.format}`);
          return manifest;
        });
      }
      return this.manifest;
    }

    // The postings of each of `tokens` on the pages that could hold them all: one bucket
    // file per bucket, every part of the rarest token, and of the others only the parts
    // whose page ranges hold a page the rarest one is on. Empty if a token is nowhere.
    async postings(tokens) {
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
      const found = new Map();
      if (entries.size < tokens.size) return found;
      const [rarest, ...others] = Array.from(entries.keys()).sort((a, b) => entries.get(a).pages - entries.get(b).pages);
      found.set(rarest, await this.entryPostings(entries.get(rarest), null));
      const pages = Array.from(found.get(rarest).keys());
      await Promise.all(others.map(async (token) => found.set(token, await this.entryPostings(entries.get(token), pages))));
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

  class SearchPage {
    constructor(form) {
      this.form = form;
      this.input = form.querySelector("#search-q");
      this.status = document.getElementById("search-status");
      this.section = document.getElementById("search-results-section");
      this.list = document.getElementById("search-results");
      this.more = document.getElementById("search-more");
      this.filters = document.getElementById("search-filters");
      this.labels = form.dataset;
      this.root = new URL("./", new URL(form.dataset.root, window.location.href));
      this.index = new Index(new URL(form.dataset.bundle, window.location.href));
      this.sequence = 0;
      this.matches = [];
      this.found = null;
      this.shown = 0;
      this.patterns = [];
    }

    start() {
      document.getElementById("search-nojs").hidden = true;
      this.restoreFromAddress();
      this.form.addEventListener("submit", (event) => {
        event.preventDefault();
        this.search();
      });
      this.form.addEventListener("change", (event) => {
        if (event.target.type === "checkbox") this.search();
      });
      this.filters.addEventListener("toggle", () => this.showCounts());
      this.more.addEventListener("click", () => this.showMore(true));
      if (this.input.value.trim() || this.chosenFilters()) this.search();
    }

    restoreFromAddress() {
      const params = new URLSearchParams(window.location.search);
      this.input.value = params.get("q") || "";
      for (const box of this.form.querySelectorAll("input[type=checkbox]")) {
        box.checked = params.getAll(box.name).includes(box.value);
      }
      if (this.chosenFilters()) this.filters.open = true;
    }

    // The values chosen in each filter, as value numbers of the manifest; null if none.
    chosenFilters(manifest) {
      const chosen = new Map();
      FACETS.forEach((name, facet) => {
        const values = Array.from(this.form.querySelectorAll(`input[name="${name}"]:checked`), (box) => box.value);
        if (!values.length) return;
        const known = manifest ? manifest.facets[name] : [];
        chosen.set(facet, new Set(values.map((value) => known.indexOf(value))));
      });
      return chosen.size ? chosen : null;
    }

    async search() {
      const query = this.input.value.trim();
      const sequence = ++this.sequence;
      const params = new URLSearchParams(new FormData(this.form));
      window.history.replaceState(null, "", `?${params}`);
      if (!query && !this.chosenFilters()) {
        this.section.hidden = true;
        this.filters.hidden = true;
        this.announce("");
        return;
      }
      this.form.dataset.state = "searching";
      this.announce(this.labels.labelSearching);
      let found;
      try {
        found = await this.find(query);
      } catch (error) {
        console.error(error);
        if (sequence === this.sequence) {
          this.announce(this.labels.labelUnavailable);
          this.finished("error");
        }
        return;
      }
      if (sequence !== this.sequence) return; // a newer search has started
      this.found = found;
      this.matches = found.pages;
      this.shown = 0;
      this.patterns = phrasesOf(query).map(runsPattern);
      this.list.replaceChildren();
      this.section.hidden = this.matches.length === 0;
      this.filters.hidden = false;
      await this.showMore(false);
      if (sequence !== this.sequence) return;
      this.announce(found.tooShort ? this.labels.labelTooShort : this.summary(query));
      this.finished("done");
      this.showCounts();
    }

    // The form's data-state and data-searches tell scripts (and tests) a search has ended.
    finished(state) {
      this.form.dataset.state = state;
      this.form.dataset.searches = String(Number(this.form.dataset.searches || 0) + 1);
    }

    // Pages with every phrase of `query`, best first: {pages, all (before filters), tooShort}.
    async find(query) {
      const manifest = await this.index.load();
      const phrases = phrasesOf(query).map(phraseTokens);
      let all;
      let scores = new Map();
      if (!phrases.length) {
        if (query) return { pages: [], all: [], tooShort: true };
        all = Array.from({ length: manifest.pages }, (_, page) => page);
      } else {
        const whole = phraseTokens(phrasesOf(query).flat());
        const tokens = new Set(phrases.flat().map(([token]) => token));
        const postings = await this.index.postings(tokens);
        all = this.match(phrases, whole, postings, scores);
      }
      const pages = await this.filtered(all);
      return { pages, all, scores, tooShort: false };
    }

    // The pages where every phrase stands, ranked: the whole query in the head, then in the
    // text, then the rest; more (weighted) occurrences first; then newest first.
    match(phrases, whole, postings, scores) {
      if (phrases.some((tokens) => tokens.some(([token]) => !postings.has(token)))) return [];
      const lists = phrases.map((tokens) => tokens.map(([token]) => postings.get(token)));
      const smallest = lists.flat().reduce((a, b) => (b.size < a.size ? b : a));
      const found = [];
      const wholeKnown = whole.every(([token]) => postings.has(token));
      for (const page of smallest.keys()) {
        if (!lists.every((group) => group.every((list) => list.has(page)))) continue;
        let score = 0;
        let present = true;
        for (const tokens of phrases) {
          const [head, body] = occurrences(tokens, postings, page);
          if (!head && !body) {
            present = false;
            break;
          }
          score += HEAD_WEIGHT * head + body;
        }
        if (!present) continue;
        let tier = 2;
        if (wholeKnown && whole.every(([token]) => postings.get(token).has(page))) {
          const [head, body] = occurrences(whole, postings, page);
          tier = head ? 0 : body ? 1 : 2;
        }
        scores.set(page, [tier, score]);
        found.push(page);
      }
      return found.sort((a, b) => scores.get(a)[0] - scores.get(b)[0] || scores.get(b)[1] - scores.get(a)[1] || a - b);
    }

    // `pages` less those the chosen filters leave out (any chosen value of a filter, every filter).
    async filtered(pages) {
      const chosen = this.chosenFilters(await this.index.load());
      if (!chosen) return pages;
      const rows = await this.index.rows(pages);
      return pages.filter((page) => this.passes(rows.get(page), chosen, -1));
    }

    passes(row, chosen, except) {
      for (const [facet, values] of chosen) {
        if (facet !== except && !row[facet].some((value) => values.has(value))) return false;
      }
      return true;
    }

    // Each filter value's count among the results (counting the other filters' choices only),
    // once the filters are open: the facet rows are fetched only then.
    async showCounts() {
      if (!this.filters.open || !this.found || this.found.tooShort) return;
      const found = this.found;
      const manifest = await this.index.load();
      const rows = await this.index.rows(found.all);
      if (found !== this.found) return;
      const chosen = this.chosenFilters(manifest) || new Map();
      const counts = FACETS.map((name) => new Array(manifest.facets[name].length).fill(0));
      for (const page of found.all) {
        const row = rows.get(page);
        FACETS.forEach((name, facet) => {
          if (this.passes(row, chosen, facet)) for (const value of row[facet]) counts[facet][value]++;
        });
      }
      FACETS.forEach((name, facet) => {
        for (const box of this.form.querySelectorAll(`input[name="${name}"]`)) {
          const value = manifest.facets[name].indexOf(box.value);
          const count = value < 0 ? 0 : counts[facet][value];
          const item = box.closest("li");
          item.querySelector(".search-filter-count").textContent = `(${count})`;
          item.hidden = count === 0 && !box.checked;
        }
      });
      this.filters.dataset.counted = String(Number(this.filters.dataset.counted || 0) + 1);
    }

    summary(query) {
      const count = this.matches.length;
      if (!count) return format(this.labels.labelNone, { query });
      const found = format(query ? this.labels.labelCount : this.labels.labelCountFiltered, { count, query });
      if (this.shown >= count) return found;
      return `${found} ${format(this.labels.labelShown, { shown: this.shown, count })}`;
    }

    // The next results: counted and the button updated at once, so a second press never
    // shows a batch twice; each result's file is fetched (and kept) only now.
    async showMore(moveFocus) {
      const matches = this.matches;
      const batch = matches.slice(this.shown, this.shown + PAGE_SIZE);
      this.shown += batch.length;
      this.more.hidden = this.shown >= matches.length;
      const results = await Promise.all(batch.map((page) => this.index.result(page)));
      if (matches !== this.matches) return; // a newer search has replaced them
      const items = results.map((result) => this.resultItem(result));
      this.list.append(...items);
      this.list.dataset.shown = String(this.list.children.length);
      if (moveFocus && items.length) {
        items[0].querySelector("a").focus();
        this.announce(format(this.labels.labelShown, { shown: this.shown, count: this.matches.length }));
      }
    }

    resultItem(result) {
      const item = element("li", "search-result");
      const heading = element("h3", "search-result-title");
      const link = element("a");
      link.append(...this.marked(result.title || result.url));
      link.href = new URL(result.url, this.root).href;
      heading.append(link);
      item.append(heading);
      const details = element("dl", "search-result-meta");
      const colon = this.labels.labelColon;
      const rows = [
        ["validity_label", this.labels.labelValidity],
        ["doc_no", this.labels.labelDocNo],
        ["published", this.labels.labelPublished],
        ["agency", this.labels.labelAgency],
      ];
      for (const [key, label] of rows) {
        if (!result[key]) continue;
        const row = element("div");
        const value = element("dd");
        value.append(...this.marked(result[key]));
        if (key === "validity_label") {
          row.className = "search-result-validity";
          value.replaceChildren(element("span", `validity validity-${result.validity}`, result[key]));
        }
        row.append(element("dt", "", label + colon), value);
        details.append(row);
      }
      if (details.children.length) item.append(details);
      if (result.excerpt) item.append(this.excerpt(result.excerpt));
      return item;
    }

    // A window of the excerpt text around the first match, matches marked.
    excerpt(text) {
      const paragraph = element("p", "search-excerpt");
      const spans = this.matchSpans(text);
      const first = spans.length ? spans[0][0] : 0;
      const start = Math.max(0, first - EXCERPT_BEFORE);
      const end = Math.min(text.length, start + EXCERPT_LENGTH);
      let at = start;
      if (start > 0) paragraph.append("…");
      for (const [from, to] of spans) {
        if (from < at || to > end) continue;
        paragraph.append(text.slice(at, from), element("mark", "", text.slice(from, to)));
        at = to;
      }
      paragraph.append(text.slice(at, end));
      if (end < text.length) paragraph.append("…");
      return paragraph;
    }

    // `text` with the query's matches marked, as a list of nodes.
    marked(text) {
      const nodes = [];
      let at = 0;
      for (const [from, to] of this.matchSpans(text)) {
        if (from < at) continue;
        nodes.push(text.slice(at, from), element("mark", "", text.slice(from, to)));
        at = to;
      }
      nodes.push(text.slice(at));
      return nodes.filter((node) => node !== "");
    }

    matchSpans(text) {
      const spans = [];
      for (const pattern of this.patterns) {
        for (const found of text.matchAll(pattern)) {
          if (found[0]) spans.push([found.index, found.index + found[0].length]);
        }
      }
      return spans.sort((a, b) => a[0] - b[0]);
    }

    announce(message) {
      // Emptied first so that the same words twice are still read out.
      this.status.textContent = "";
      window.setTimeout(() => {
        this.status.textContent = message;
      }, 50);
    }
  }

  function element(tag, className = "", text = "") {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // Exposed for tests, which compare them with the Python canonical_text and tokens.
  window.govsiteSearch = { canonicalText, phrasesOf, phraseTokens, bucketOf };

  const form = document.getElementById("search-form");
  if (form) new SearchPage(form).start();
})();
