// The page editor: a Publish or Save clicked while an autosave is on its way waits for it.
//
// On a new page, Wagtail's autosave creates the page and then points the form at the
// new page's edit view. A submit sent before that answer still goes to the "add page"
// view, which creates the page a second time: "slug already in use", and the autosaved
// copy is left behind as a stray draft. So the submit is held until the autosave has
// answered (saved or refused), and then sent again to wherever the form points.
(() => {
  "use strict";
  const form = document.getElementById("page-edit-form");
  if (!form || !(form.dataset.controller || "").split(/\s+/).includes("w-autosave")) {
    return;
  }
  let inFlight = null;
  let answered = () => {};
  form.addEventListener("w-autosave:save", () => {
    inFlight = new Promise((resolve) => {
      answered = resolve;
    });
  });
  for (const outcome of ["w-autosave:success", "w-autosave:error"]) {
    form.addEventListener(outcome, () => {
      inFlight = null;
      answered();
    });
  }
  // Capturing on the document runs before Wagtail's own submit handlers on the form.
  document.addEventListener(
    "submit",
    (event) => {
      if (event.target !== form || !inFlight || form.dataset.datelineResubmit) {
        return;
      }
      event.preventDefault();
      event.stopPropagation();
      // No new autosave may start between this submit and the page it leads to.
      form.setAttribute("data-w-autosave-active-value", "false");
      const button = event.submitter;
      inFlight.then(() => {
        if (button && button.name) {
          const choice = document.createElement("input");
          choice.type = "hidden";
          choice.name = button.name;
          choice.value = button.value;
          form.append(choice);
        }
        form.dataset.datelineResubmit = "1";
        form.requestSubmit();
      });
    },
    true,
  );
})();
