// The header menu folds behind its « Menu » button on a narrow screen (a phone): the button tells
// whether the menu is open (aria-expanded) and which list it opens (aria-controls); Échap closes
// it and gives the focus back to the button. Without this script the button stays hidden and the
// menu open, as on a wide screen.
(function () {
  "use strict";
  function setUp() {
    var button = document.querySelector(".menu-toggle");
    var menu = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) {
      return;
    }
    var narrow = window.matchMedia("(max-width: 48rem)");

    function open(isOpen) {
      button.setAttribute("aria-expanded", isOpen ? "true" : "false");
      menu.hidden = !isOpen;
    }

    function fit() {
      button.hidden = !narrow.matches;
      open(!narrow.matches);
    }

    button.addEventListener("click", function () {
      open(button.getAttribute("aria-expanded") !== "true");
    });
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && narrow.matches) {
        open(false);
        button.focus();
      }
    });
    if (narrow.addEventListener) {
      narrow.addEventListener("change", fit);
    } else {
      narrow.addListener(fit);
    }
    fit();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
