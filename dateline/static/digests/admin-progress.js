// Refreshes the progress panel of a digest being sent. Without this script the
// panel shows the figures of when the page was loaded, and a reload refreshes it.
(function () {
  "use strict";
  const holder = document.querySelector("[data-digest-progress]");
  if (!holder) return;
  const every = 3000;

  async function refresh() {
    const panel = holder.querySelector("[data-live]");
    if (!panel) return; // finished, or never sent: nothing moves any more
    try {
      const response = await fetch(panel.dataset.live, { credentials: "same-origin" });
      if (response.ok) holder.innerHTML = await response.text();
    } catch (error) {
      // A lost connection: try again at the next tick.
    }
    window.setTimeout(refresh, every);
  }
  window.setTimeout(refresh, every);
})();
