/* govsite: the 打印本页 button on a record. The button ships hidden, so a page without JavaScript
 * shows no dead control; the print stylesheet (site.css, @media print) decides what is printed.
 * Before printing, each link of the text gets its full address in data-print-href, which the print
 * stylesheet writes after the link: a relative href means nothing on paper. */
(function () {
  var LINKS = ".prose a[href], .notice a[href], .meta-related a[href], .related a[href], .attachments a[href]";

  function markLinks() {
    var links = document.querySelectorAll(LINKS);
    for (var i = 0; i < links.length; i++) {
      var href = links[i].getAttribute("href");
      if (href.charAt(0) !== "#" && !/^[a-z][a-z0-9+.-]*:/i.test(href)) {
        links[i].setAttribute("data-print-href", links[i].href);
      }
    }
  }

  var buttons = document.querySelectorAll("[data-print]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].hidden = false;
    buttons[i].addEventListener("click", function () {
      markLinks();
      window.print();
    });
  }
  window.addEventListener("beforeprint", markLinks);
})();
