// The search page (templates/search.html): the form, the results and the filters. The
// engine that reads govsite's static index (js/search-engine.js) is imported on the first
// search, so a page that does not search loads none of it; only the results shown are
// fetched (one small file each), and filter counts once the filters are opened.
"use strict";

(() => {
  const PAGE_SIZE = 10;
  const EXCERPT_BEFORE = 30;
  const EXCERPT_LENGTH = 120;
  const FILTERS = ["agency", "category", "topic", "year", "validity", "genre"]; // engine's FACETS

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
  }

  function element(tag, className = "", text = "") {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
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
      this.loaded = null;
      this.sequence = 0;
      this.found = null;
      this.matches = [];
      this.shown = 0;
      this.patterns = [];
    }

    // The engine module and the index it reads, imported once; the index's manifest is
    // fetched while the module loads (one round trip less before the first results).
    engine() {
      if (!this.loaded) {
        const bundle = new URL(this.form.dataset.bundle, window.location.href);
        const manifest = fetch(new URL("manifest.json", bundle));
        manifest.catch(() => {}); // a failure is reported where the manifest is read
        this.loaded = import(new URL(this.form.dataset.engine, window.location.href).href).then((engine) => {
          this.index = new engine.Index(bundle, manifest);
          return engine;
        });
      }
      return this.loaded;
    }

    start() {
      document.getElementById("search-nojs").hidden = true;
      this.buildFilters();
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
      if (this.input.value.trim() || this.chosenFilters().size) this.search();
    }

    // A folded group of checkboxes per filter, from the values and titles the page lists
    // (templates/search.html): [name, label, [[value, title], …]].
    buildFilters() {
      const listed = document.getElementById("search-filter-values");
      for (const [name, label, values] of JSON.parse(listed.textContent)) {
        const group = element("details", "search-filter-group");
        const fieldset = element("fieldset", "search-filter");
        const list = element("ul");
        values.forEach(([value, title], index) => {
          const box = element("input");
          Object.assign(box, { type: "checkbox", name, value, id: `filter-${name}-${index + 1}` });
          const text = element("label", "", `${title} `);
          text.htmlFor = box.id;
          text.append(element("span", "search-filter-count"));
          const item = element("li");
          item.append(box, text);
          list.append(item);
        });
        fieldset.append(element("legend", "visually-hidden", label), list);
        group.append(element("summary", "", label), fieldset);
        this.filters.append(group);
      }
    }

    restoreFromAddress() {
      const params = new URLSearchParams(window.location.search);
      this.input.value = params.get("q") || "";
      for (const box of this.form.querySelectorAll("input[type=checkbox]")) {
        box.checked = params.getAll(box.name).includes(box.value);
      }
      if (this.chosenFilters().size) this.filters.open = true;
    }

    // The values chosen in each filter: filter number → set of values.
    chosenFilters() {
      const chosen = new Map();
      FILTERS.forEach((name, facet) => {
        const boxes = this.form.querySelectorAll(`input[name="${name}"]:checked`);
        if (boxes.length) chosen.set(facet, new Set(Array.from(boxes, (box) => box.value)));
      });
      return chosen;
    }

    async search() {
      const query = this.input.value.trim();
      const chosen = this.chosenFilters();
      const sequence = ++this.sequence;
      const params = new URLSearchParams(new FormData(this.form));
      window.history.replaceState(null, "", `?${params}`);
      if (!query && !chosen.size) {
        this.section.hidden = true;
        this.filters.hidden = true;
        this.announce("");
        return;
      }
      this.form.dataset.state = "searching";
      this.announce(this.labels.labelSearching);
      let found;
      let engine;
      try {
        engine = await this.engine();
        found = await engine.find(this.index, query, chosen);
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
      this.patterns = engine.phrasesOf(query).map(engine.runsPattern);
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

    // Each filter value's count among the results, once the filters are open (the facet
    // rows are fetched only then); a value no result has is folded away.
    async showCounts() {
      if (!this.filters.open || !this.found || this.found.tooShort) return;
      const found = this.found;
      const engine = await this.engine();
      const counts = await engine.counts(this.index, found.all, this.chosenFilters());
      if (found !== this.found) return;
      FILTERS.forEach((name, facet) => {
        for (const box of this.form.querySelectorAll(`input[name="${name}"]`)) {
          const count = counts[facet].get(box.value) || 0;
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
        this.announce(format(this.labels.labelShown, { shown: this.shown, count: matches.length }));
      }
    }

    // Title, then 有效性 (a repealed record stands out), 发文字号, date and agency, then the excerpt.
    resultItem(result) {
      const item = element("li", "search-result");
      const heading = element("h3", "search-result-title");
      const link = element("a");
      link.append(...this.marked(result.title || result.url));
      link.href = new URL(result.url, this.root).href;
      heading.append(link);
      item.append(heading);
      const details = element("dl", "search-result-meta");
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
        if (key === "validity_label") {
          row.className = "search-result-validity";
          value.append(element("span", `validity validity-${result.validity}`, result[key]));
        } else {
          value.append(...this.marked(result[key]));
        }
        row.append(element("dt", "", label + this.labels.labelColon), value);
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
      const start = Math.max(0, (spans.length ? spans[0][0] : 0) - EXCERPT_BEFORE);
      const end = Math.min(text.length, start + EXCERPT_LENGTH);
      if (start > 0) paragraph.append("…");
      paragraph.append(...this.marked(text.slice(start, end)));
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

  const form = document.getElementById("search-form");
  if (form) {
    const page = new SearchPage(form);
    // For tests, which compare the engine's functions with the Python ones.
    window.govsiteSearch = { engine: () => page.engine() };
    page.start();
  }
})();
