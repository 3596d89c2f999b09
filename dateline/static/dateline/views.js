// Reports one view of the article on this page, for sites whose proxy cache answers
// readers without asking Dateline (PAGE_VIEW_COUNTING = "beacon"). It sets no cookie and
// sends no identifier: a count per article and day is all that is kept. A page opened in
// the background counts once it is shown.
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
