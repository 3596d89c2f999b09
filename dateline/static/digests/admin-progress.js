// Refreshes the progress panel of an issue being sent, or scheduled (so that its
// figures appear when it starts). Without this script the panel shows the figures of
// when the page was loaded, and a reload refreshes it. When the status changes
// (released, paused, sent) the page is reloaded once, so its buttons fit the new status.
(function () {
  "use strict";
  const holder = document.querySelector("[data-digest-progress]");
  if (!holder) return;

  function panel() {
    return holder.querySelector("[data-progress-panel]");
  }

  function every() {
    const live = holder.querySelector("[data-live]");
    return live ? Number(live.dataset.every) || 3000 : 0;
  }

  async function refresh() {
    const before = panel();
    if (!before || !before.dataset.live) return; // finished, or never sent: nothing moves
    try {
      const response = await fetch(before.dataset.live, { credentials: "same-origin" });
      if (response.ok) {
        const status = before.dataset.status;
        holder.innerHTML = await response.text();
        const after = panel();
        if (after && after.dataset.status !== status) {
          window.location.reload();
          return;
        }
      }
    } catch (error) {
      // A lost connection: try again at the next tick.
    }
    if (every()) window.setTimeout(refresh, every());
  }
  if (every()) window.setTimeout(refresh, every());
})();
