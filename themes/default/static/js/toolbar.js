/* govsite: the reading-aids toolbar (适老化工具条). prefs.js has already applied the saved choices;
 * this wires the buttons, saves each change and says it in the polite live region. Every word
 * comes from the template's data-say-* attributes, which come from the theme's labels. */
(function () {
  var KEY = "govsite:prefs";
  var MAX_SIZE = 4;
  var root = document.documentElement;
  var bar = document.getElementById("a11y-toolbar");
  if (!bar) return;
  var status = document.getElementById("a11y-status");
  var speech = window.speechSynthesis;
  // Each on/off choice: its key in the saved prefs, the <html> attribute and its "on" value.
  var toggles = {
    contrast: ["data-contrast", "high"],
    spacing: ["data-spacing", "wide"],
    cursor: ["data-cursor", "large"],
    simple: ["data-simple", "on"]
  };
  var prefs = load();
  var picked = "";  // text selected when a pointer went down on the toolbar

  function load() {
    try {
      return JSON.parse(localStorage.getItem(KEY) || "{}") || {};
    } catch (e) {
      return {};
    }
  }

  function save() {
    try {
      localStorage.setItem(KEY, JSON.stringify(prefs));
    } catch (e) {
      // Storage blocked: the choice still holds on this page.
    }
  }

  function say(name, values) {
    var text = bar.getAttribute("data-say-" + name) || "";
    for (var key in values) text = text.replace("{" + key + "}", values[key]);
    // Emptying first makes a repeated message be read again.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function button(action) {
    return bar.querySelector('[data-a11y="' + action + '"]');
  }

  function textSize() {
    return Math.max(0, Math.min(MAX_SIZE, Math.round(Number(prefs.size) || 0)));
  }

  function show() {
    var size = textSize();
    if (size) root.setAttribute("data-text-size", String(size));
    else root.removeAttribute("data-text-size");
    for (var name in toggles) {
      var on = prefs[name] === true;
      if (on) root.setAttribute(toggles[name][0], toggles[name][1]);
      else root.removeAttribute(toggles[name][0]);
      button(name).setAttribute("aria-pressed", String(on));
    }
  }

  function resize(step) {
    prefs.size = Math.max(0, Math.min(MAX_SIZE, textSize() + step));
    save();
    show();
    say("size", { percent: String(100 + 25 * prefs.size) });
  }

  function toggle(name) {
    prefs[name] = prefs[name] !== true;
    save();
    show();
    say(prefs[name] ? "on" : "off", { name: button(name).textContent.trim() });
  }

  function reset() {
    stopReading();
    prefs = {};
    save();
    show();
    say("reset", {});
  }

  function readingText() {
    var selected = String(window.getSelection() || "").trim() || picked;
    if (selected) return selected;
    // innerText leaves out what is hidden, so simple mode reads only what it shows.
    return document.getElementById("main").innerText;
  }

  function setReading(on) {
    button("read").setAttribute("aria-pressed", String(on));
    button("pause").parentNode.hidden = !on;  // the list item, so no empty cell is left
    button("pause").setAttribute("aria-pressed", "false");
  }

  function stopReading() {
    if (speech) speech.cancel();
    setReading(false);
  }

  function read() {
    if (button("read").getAttribute("aria-pressed") === "true") {
      stopReading();
      say("stopped", {});
      return;
    }
    speech.cancel();
    var utterance = new SpeechSynthesisUtterance(readingText());
    utterance.lang = root.lang;
    utterance.onend = utterance.onerror = function () { setReading(false); };
    setReading(true);
    speech.speak(utterance);
    say("reading", {});
  }

  function pause() {
    var paused = button("pause").getAttribute("aria-pressed") === "true";
    if (paused) speech.resume();
    else speech.pause();
    button("pause").setAttribute("aria-pressed", String(!paused));
    say(paused ? "resumed" : "paused", {});
  }

  var actions = {
    larger: function () { resize(1); },
    smaller: function () { resize(-1); },
    read: read,
    pause: pause,
    reset: reset
  };
  for (var name in toggles) actions[name] = toggle.bind(null, name);

  bar.addEventListener("pointerdown", function () {
    picked = String(window.getSelection() || "").trim();
  });
  bar.addEventListener("click", function (event) {
    var target = event.target.closest("[data-a11y]");
    var action = target && actions[target.getAttribute("data-a11y")];
    if (action) action();
  });
  // Without speech synthesis there is nothing to read with: leave the button out.
  if (!speech || typeof SpeechSynthesisUtterance === "undefined") button("read").parentNode.hidden = true;
  else setReading(false);
  window.addEventListener("pagehide", function () { if (speech) speech.cancel(); });
  show();
})();
