/* Tandem: progressive enhancement only. Every page works without this file. */
(function () {
  "use strict";

  // Quick exit: replace this page in the history (so "back" does not return here) and
  // blank the screen at once, before the neutral site loads.
  function leave(target) {
    document.documentElement.classList.add("is-leaving");
    document.title = "";
    window.location.replace(target);
  }

  function setUpQuickExit() {
    var link = document.querySelector("[data-quick-exit]");
    if (!link) {
      return;
    }
    var target = link.getAttribute("href");
    link.addEventListener("click", function (event) {
      event.preventDefault();
      leave(target);
    });
    // Shortcut: press Shift three times within two seconds (as GOV.UK's "Exit this page").
    var presses = [];
    document.addEventListener("keyup", function (event) {
      if (event.key !== "Shift") {
        presses = [];
        return;
      }
      var now = Date.now();
      presses = presses.filter(function (t) { return now - t < 2000; });
      presses.push(now);
      if (presses.length >= 3) {
        leave(target);
      }
    });
  }

  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  // Reveal conditional questions (for example "which language?" after "interpreter"). The
  // panel names the control(s) that reveal it; any one of them checked shows it.
  function setUpConditionals() {
    document.querySelectorAll("[data-reveal-when]").forEach(function (panel) {
      var controls = panel.getAttribute("data-reveal-when").split(/\s+/)
        .map(function (id) { return document.getElementById(id); })
        .filter(Boolean);
      if (!controls.length) {
        return;
      }
      controls.forEach(function (control) {
        // Tell assistive technology which question this choice reveals (as GOV.UK does).
        if (panel.id) {
          control.setAttribute("aria-controls", panel.id);
        }
      });
      var sync = function () {
        panel.hidden = !controls.some(function (control) { return control.checked; });
      };
      // Listen on the form: unchecking a radio fires no event on the radio itself.
      (controls[0].form || document).addEventListener("change", sync);
      sync();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpQuickExit();
    focusErrorSummary();
    setUpConditionals();
  });
}());
