// Refreshes the progress panel of an import while it is queued or running. Without
// this script the panel shows the figures of when the page was loaded; a reload
// refreshes it. When the run ends, the whole page is reloaded once, so that the
// "Run the import" button appears after a dry run.
(function () {
  "use strict";
  const holder = document.querySelector("[data-import-progress]");
  if (!holder) return;
  const every = 2000;

  async function refresh() {
    const panel = holder.querySelector("[data-live]");
    if (!panel) return; // finished: nothing moves any more
    try {
      const response = await fetch(panel.dataset.live, { credentials: "same-origin" });
      if (response.ok) {
        holder.innerHTML = await response.text();
        if (!holder.querySelector("[data-live]")) {
          window.location.reload();
          return;
        }
      }
    } catch (error) {
      // A lost connection: try again at the next tick.
    }
    window.setTimeout(refresh, every);
  }
  window.setTimeout(refresh, every);
})();
