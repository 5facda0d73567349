// The search page (templates/search.html) on Pagefind's JavaScript API.
//
// Pagefind's own words come from a Chinese segmenter, and a phrase that straddles two of
// them is never found. govsite/search.py therefore also indexes every page as bigram
// tokens of its canonical text; this script cuts a query the same way, asks Pagefind for
// pages holding all its tokens, and keeps those whose text really contains each term.
// `canonicalText` must stay the same function as `canonical_text` in govsite/search.py
// (tests/browser/test_search.py runs both on one table of cases).
"use strict";

(() => {
  const HAN_RANGES = [[0x3007, 0x3007], [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xf900, 0xfaff], [0x20000, 0x3134f]];
  const LETTERS = "abcdefghijklmnopqrstuvwxyz";
  const TOKEN_PREFIX = "zq";
  const SENTINEL = "zqzq";
  const PAGE_SIZE = 10;
  // Each candidate's text is fetched to check it; a cap keeps a one-word query on a big site bounded.
  const MAX_CANDIDATES = 500;
  const FILTERS = ["agency", "category", "topic", "year", "validity"];
  const EXCERPT_BEFORE = 30;
  const EXCERPT_LENGTH = 120;
  // Sentence punctuation near a match tells running text from the metadata list.
  const PROSE = /[，。；？！,;?!]/u; // not ".": Pagefind puts ". " after each block

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

  function encodeChars(chars) {
    let word = TOKEN_PREFIX;
    for (const char of chars) {
      const code = char.codePointAt(0);
      for (const power of [3, 2, 1, 0]) word += LETTERS[Math.floor(code / 26 ** power) % 26];
    }
    return word;
  }

  // The index tokens a page containing `term` must have. A one-character run at either end
  // of the term may be the end of a longer run on the page, so it gives no token there.
  function queryTokens(term) {
    const runs = canonicalText(term).split(" ").filter(Boolean);
    const tokens = [];
    runs.forEach((run, index) => {
      const chars = Array.from(run);
      if (chars.length >= 2) {
        for (let i = 0; i + 1 < chars.length; i++) tokens.push(encodeChars(chars[i] + chars[i + 1]));
      } else if (index > 0 && index < runs.length - 1) {
        tokens.push(encodeChars(run));
      }
    });
    return tokens;
  }

  // The indexed text as readers see it: without Pagefind's segment marks and the n-gram tokens.
  function readableContent(content) {
    const text = content.replace(/\u200b/g, "");
    const cut = text.indexOf(SENTINEL);
    return cut < 0 ? text : text.slice(0, cut);
  }

  // A pattern finding `term` in readable text, whatever separates its runs there.
  function termPattern(term) {
    const runs = canonicalText(term).split(" ").filter(Boolean);
    if (!runs.length) return null;
    const escaped = runs.map((run) => run.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    return new RegExp(escaped.join("[^\\p{L}\\p{N}]*"), "giu");
  }

  // The other shards of the index (`shards.json` in the bundle), or none if it cannot be read.
  async function shardsOf(bundle) {
    try {
      const response = await fetch(new URL("shards.json", bundle));
      return response.ok ? await response.json() : [];
    } catch (error) {
      return [];
    }
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
  }

  class SearchPage {
    constructor(form) {
      this.form = form;
      this.input = form.querySelector("#search-q");
      this.status = document.getElementById("search-status");
      this.section = document.getElementById("search-results-section");
      this.list = document.getElementById("search-results");
      this.more = document.getElementById("search-more");
      this.labels = form.dataset;
      this.pagefind = null;
      this.sequence = 0;
      this.matches = [];
      this.shown = 0;
      this.patterns = [];
    }

    start() {
      document.getElementById("search-nojs").hidden = true;
      document.getElementById("search-filters").hidden = false;
      this.restoreFromAddress();
      this.form.addEventListener("submit", (event) => {
        event.preventDefault();
        this.search();
      });
      this.form.addEventListener("change", (event) => {
        if (event.target.type === "checkbox") this.search();
      });
      this.more.addEventListener("click", () => this.showMore(true));
      if (this.input.value.trim() || this.chosenFilters()) this.search();
    }

    restoreFromAddress() {
      const params = new URLSearchParams(window.location.search);
      this.input.value = params.get("q") || "";
      for (const box of this.form.querySelectorAll("input[type=checkbox]")) {
        box.checked = params.getAll(box.name).includes(box.value);
      }
      if (this.chosenFilters()) document.getElementById("search-filters").open = true;
    }

    chosenFilters() {
      const chosen = {};
      let any = false;
      for (const name of FILTERS) {
        const values = Array.from(this.form.querySelectorAll(`input[name="${name}"]:checked`), (box) => box.value);
        if (values.length) {
          chosen[name] = { any: values };
          any = true;
        }
      }
      return any ? chosen : null;
    }

    async loadPagefind() {
      if (!this.pagefind) {
        const bundle = new URL(this.form.dataset.bundle, window.location.href);
        // data-root is the home page's link, e.g. `../index.html`: its folder is the site root.
        const root = new URL("./", new URL(this.form.dataset.root, window.location.href));
        const options = { baseUrl: root.pathname, excerptLength: 30 };
        this.pagefind = import(new URL("pagefind.js", bundle).href).then(async (pagefind) => {
          await pagefind.options(options);
          await pagefind.init();
          // A large site's index comes in shards (govsite/search.py): merge the others.
          for (const shard of await shardsOf(bundle)) {
            await pagefind.mergeIndex(new URL(shard, bundle).pathname, options);
          }
          return pagefind;
        });
      }
      return this.pagefind;
    }

    async search() {
      const query = this.input.value.trim();
      const filters = this.chosenFilters();
      const sequence = ++this.sequence;
      const params = new URLSearchParams(new FormData(this.form));
      window.history.replaceState(null, "", `?${params}`);
      if (!query && !filters) {
        this.section.hidden = true;
        this.announce("");
        return;
      }
      this.form.dataset.state = "searching";
      this.announce(this.labels.labelSearching);
      let matches;
      try {
        matches = await this.find(query, filters || {});
      } catch (error) {
        console.error(error);
        if (sequence === this.sequence) {
          this.announce(this.labels.labelUnavailable);
          this.finished("error");
        }
        return;
      }
      if (sequence !== this.sequence) return; // a newer search has started
      this.matches = matches;
      this.shown = 0;
      this.patterns = query.split(/\s+/).map(termPattern).filter(Boolean);
      this.list.replaceChildren();
      this.section.hidden = matches.length === 0;
      this.showMore(false);
      this.announce(this.summary(query));
      this.finished("done");
    }

    // The form's data-state and data-searches tell scripts (and tests) a search has ended.
    finished(state) {
      this.form.dataset.state = state;
      this.form.dataset.searches = String(Number(this.form.dataset.searches || 0) + 1);
    }

    // Pages matching every term of `query` (whitespace separates terms), best first.
    async find(query, filters) {
      const pagefind = await this.loadPagefind();
      const terms = query.split(/\s+/).map(canonicalText).filter(Boolean);
      if (!terms.length) {
        const found = await pagefind.search(query || null, { filters });
        return Promise.all(found.results.slice(0, MAX_CANDIDATES).map((result) => result.data()));
      }
      const tokens = Array.from(new Set(terms.flatMap(queryTokens)));
      // With no token (every term a single character), fall back to Pagefind's own words.
      const found = await pagefind.search(tokens.length ? tokens.join(" ") : query, { filters });
      const pages = await Promise.all(found.results.slice(0, MAX_CANDIDATES).map((result) => result.data()));
      const whole = canonicalText(query);
      const ranked = [];
      pages.forEach((page, order) => {
        const text = canonicalText(readableContent(page.content));
        if (!terms.every((term) => text.includes(term))) return;
        ranked.push({ page, order, tier: this.tier(page, text, whole) });
      });
      ranked.sort((a, b) => a.tier - b.tier || a.order - b.order);
      return ranked.map((entry) => entry.page);
    }

    // 0: the whole query is in the title, 发文字号 or 索引号; 1: it is in the text; 2: its terms are.
    tier(page, text, whole) {
      const meta = page.meta || {};
      const fields = [meta.title, meta.doc_no, meta.index_no].filter(Boolean).map(canonicalText);
      if (fields.some((field) => field.includes(whole))) return 0;
      return text.includes(whole) ? 1 : 2;
    }

    summary(query) {
      const count = this.matches.length;
      if (!count) return format(this.labels.labelNone, { query });
      const found = format(query ? this.labels.labelCount : this.labels.labelCountFiltered, { count, query });
      if (this.shown >= count) return found;
      return `${found} ${format(this.labels.labelShown, { shown: this.shown, count })}`;
    }

    showMore(moveFocus) {
      const batch = this.matches.slice(this.shown, this.shown + PAGE_SIZE);
      const items = batch.map((page) => this.resultItem(page));
      this.list.append(...items);
      this.shown += batch.length;
      this.more.hidden = this.shown >= this.matches.length;
      if (moveFocus && items.length) {
        items[0].querySelector("a").focus();
        this.announce(format(this.labels.labelShown, { shown: this.shown, count: this.matches.length }));
      }
    }

    resultItem(page) {
      const meta = page.meta || {};
      const item = element("li", "search-result");
      const heading = element("h3", "search-result-title");
      const link = element("a", "", meta.title || page.url);
      link.href = page.url;
      heading.append(link);
      item.append(heading);
      const details = element("dl", "search-result-meta");
      const colon = this.labels.labelColon;
      for (const [key, label] of [["doc_no", this.labels.labelDocNo], ["published", this.labels.labelPublished], ["agency", this.labels.labelAgency]]) {
        if (!meta[key]) continue;
        const row = element("div");
        row.append(element("dt", "", label + colon), element("dd", "", meta[key]));
        details.append(row);
      }
      if (details.children.length) item.append(details);
      item.append(this.excerpt(readableContent(page.content), (meta.title || "").length));
      return item;
    }

    // A window of the text around the first match in running text (the result shows the
    // title and metadata already), else after the title, else the first; all marked.
    excerpt(text, titleLength) {
      const paragraph = element("p", "search-excerpt");
      const spans = this.matchSpans(text);
      const afterTitle = spans.filter(([from]) => from >= titleLength);
      const inProse = afterTitle.find(([from, to]) => PROSE.test(text.slice(Math.max(0, from - 20), to + 20)));
      const chosen = inProse || afterTitle[0] || spans[0];
      const first = chosen ? chosen[0] : 0;
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

  // Exposed for tests, which compare it with the Python canonical_text.
  window.govsiteSearch = { canonicalText, queryTokens, encodeChars };

  const form = document.getElementById("search-form");
  if (form) new SearchPage(form).start();
})();
