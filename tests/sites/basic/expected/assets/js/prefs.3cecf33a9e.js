/* govsite: apply the reader's saved choices before the first paint. Loaded synchronously in
 * <head>; toolbar.js (deferred) draws the controls that change them. No choice saved: no change. */
(function () {
  var root = document.documentElement;
  var me = document.currentScript;
  root.classList.add("js");
  // The cursor images have content-hashed names only the template knows.
  if (me) {
    root.style.setProperty("--cursor-arrow", "url(\"" + me.getAttribute("data-cursor") + "\")");
    root.style.setProperty("--cursor-hand", "url(\"" + me.getAttribute("data-pointer") + "\")");
  }
  var prefs = {};
  try {
    prefs = JSON.parse(localStorage.getItem("govsite:prefs") || "{}") || {};
  } catch (e) {
    prefs = {};  // storage blocked or garbled: the default look
  }
  var size = Math.max(0, Math.min(4, Math.round(Number(prefs.size) || 0)));
  if (size) root.setAttribute("data-text-size", String(size));
  if (prefs.contrast === true) root.setAttribute("data-contrast", "high");
  if (prefs.spacing === true) root.setAttribute("data-spacing", "wide");
  if (prefs.cursor === true) root.setAttribute("data-cursor", "large");
  if (prefs.simple === true) root.setAttribute("data-simple", "on");
})();
