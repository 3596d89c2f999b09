// Sign up without leaving the page. Without JavaScript the form posts and redirects.
(function () {
  "use strict";
  var forms = document.querySelectorAll("[data-newsletter] form.newsletter-form");

  // The page may come from the cache, its stamp from long ago: the time trap needs
  // the time this reader loaded the form, so ask the server for a stamp now.
  // Without it the server asks the reader to press Subscribe once more.
  if (forms.length && window.fetch) {
    fetch("/newsletter/stamp/", {
      headers: { Accept: "application/json" },
      credentials: "omit",
      cache: "no-store",
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || !data.stamp) return;
        forms.forEach(function (form) { setStamp(form, data.stamp); });
      })
      .catch(function () {});
  }

  function setStamp(form, stamp) {
    form.querySelector("input[name=stamp]").value = stamp;
    form.dataset.stamped = "live";
  }

  forms.forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var status = form.parentElement.querySelector(".newsletter-status");
      if (!window.fetch || !status) return;
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "omit",
      })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          form.querySelectorAll(".field-error").forEach(function (el) { el.remove(); });
          if (data.ok) {
            // Hiding the form drops the focus from its button: move it to the message,
            // or keyboard and screen-reader users are left at the top of the page.
            form.hidden = true;
            status.textContent = data.message;
            status.classList.add("notice");
            status.tabIndex = -1;
            status.focus();
            return;
          }
          button.disabled = false;
          if (data.again) {
            setStamp(form, data.stamp);
            status.textContent = data.message;
            return;
          }
          var errors = data.errors || {};
          var group = form.querySelector(".newsletters-choice");
          if (errors.newsletters && group) {
            // No newsletter ticked: say so at the end of the list, focus its first box.
            var first = group.querySelector("input[type=checkbox]");
            var chosen = document.createElement("p");
            chosen.className = "field-error";
            chosen.setAttribute("role", "alert");
            chosen.id = first.id.replace(/newsletter-\d+$/, "newsletters-error");
            chosen.textContent = errors.newsletters[0];
            group.setAttribute("aria-describedby", chosen.id);
            group.appendChild(chosen);
            if (!errors.email) first.focus();
          }
          if (errors.email) {
            var input = form.querySelector("input[name=email]");
            var error = document.createElement("p");
            error.className = "field-error";
            error.id = input.id + "-error";
            error.textContent = errors.email[0];
            input.setAttribute("aria-invalid", "true");
            input.setAttribute("aria-describedby", error.id);
            input.insertAdjacentElement("afterend", error);
            input.focus();
          } else if (!(errors.newsletters && group)) {
            status.textContent = data.message || "Something went wrong. Please try again.";
          }
        })
        .catch(function () {
          button.disabled = false;
          form.submit();
        });
    });
  });
})();
