// Reports one view of the article on this page, for sites whose proxy cache answers
// readers without asking Dateline (PAGE_VIEW_COUNTING = "beacon"). No cookie, no id:
// the count is all that is kept. A page opened in the background counts once shown.
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.getAttribute("data-beacon");
  if (!url || !navigator.sendBeacon) {
    return;
  }
  var sent = false;
  function report() {
    if (!sent && document.visibilityState === "visible") {
      sent = true;
      navigator.sendBeacon(url);
    }
  }
  report();
  if (!sent) {
    document.addEventListener("visibilitychange", report);
  }
})();
