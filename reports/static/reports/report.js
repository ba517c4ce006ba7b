// Before printing, open every disclosure of the report so its tables are on paper too.
(function () {
  "use strict";
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll(".wk-report details").forEach(function (details) {
      details.open = true;
    });
  });
})();
