/*
 * Site-wide enhancements, loaded on every page. Everything here is progressive: without
 * JavaScript the main menu stays open and wide tables still scroll in their box.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var TABLE_FALLBACK_LABEL = (script && script.dataset.tableLabel) || "Tabel";

  /*
   * Main menu on narrow screens. The button starts hidden and the menu open, so the
   * navigation is there without this script; the script shows the button, closes the
   * menu and lets the button (and Escape) open and close it. The stylesheet only hides a
   * closed menu on narrow screens, so a wide screen always shows it.
   */
  function setupMenu(button) {
    var menu = document.getElementById(button.getAttribute("aria-controls"));
    var header = button.closest("header");
    if (!menu || !header) {
      return;
    }
    function setOpen(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    function buttonShown() {
      return button.offsetParent !== null;
    }
    setOpen(false);
    button.hidden = false;
    header.classList.add("wk-header--collapsible");
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && buttonShown() && button.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        button.focus();
      }
    });
  }

  /*
   * Table scroll boxes (.wk-table-wrap): a table wider than its box scrolls sideways, and
   * a keyboard can only scroll a box that takes focus. So a box whose table overflows
   * becomes a focusable region named after the table's caption; when it fits again the
   * attributes go. Boxes the server already made a region are left as they are.
   */
  function captionText(table) {
    var caption = table.querySelector("caption");
    var text = caption ? caption.textContent : table.getAttribute("aria-label") || "";
    return text.replace(/\s+/g, " ").trim();
  }

  function updateRegion(wrap) {
    if (wrap.hasAttribute("role") && !wrap.hasAttribute("data-wk-region")) {
      return;
    }
    var table = wrap.querySelector("table");
    var overflows = table && wrap.scrollWidth > wrap.clientWidth + 1;
    if (overflows) {
      wrap.setAttribute("data-wk-region", "");
      wrap.setAttribute("role", "region");
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("aria-label", captionText(table) || TABLE_FALLBACK_LABEL);
    } else if (wrap.hasAttribute("data-wk-region")) {
      ["data-wk-region", "role", "tabindex", "aria-label"].forEach(function (name) {
        wrap.removeAttribute(name);
      });
    }
  }

  var observer =
    "ResizeObserver" in window
      ? new ResizeObserver(function (entries) {
          entries.forEach(function (entry) {
            var wrap = entry.target.closest(".wk-table-wrap");
            if (wrap) {
              updateRegion(wrap);
            }
          });
        })
      : null;

  var observed = new WeakSet();

  function setupTables() {
    document.querySelectorAll(".wk-table-wrap").forEach(function (wrap) {
      updateRegion(wrap);
      // The box changes with the window, the table with its content.
      [wrap, wrap.querySelector("table")].forEach(function (element) {
        if (observer && element && !observed.has(element)) {
          observed.add(element);
          observer.observe(element);
        }
      });
    });
  }

  function init() {
    document.querySelectorAll("[data-menu-button]").forEach(setupMenu);
    setupTables();
    if (!observer) {
      window.addEventListener("resize", setupTables);
    }
    // Tables that htmx puts into the page get the same treatment.
    document.body.addEventListener("htmx:afterSettle", setupTables);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
