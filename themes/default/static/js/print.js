/* govsite: the 打印本页 button on a record. The button ships hidden, so a page without JavaScript
 * shows no dead control; the print stylesheet (site.css, @media print) decides what is printed. */
(function () {
  var buttons = document.querySelectorAll("[data-print]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].hidden = false;
    buttons[i].addEventListener("click", function () { window.print(); });
  }
})();
