// Sign up without leaving the page. Without JavaScript the form posts and redirects.
(function () {
  "use strict";
  document.querySelectorAll("[data-newsletter] form.newsletter-form").forEach(function (form) {
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
            form.hidden = true;
            status.textContent = data.message;
            status.classList.add("notice");
            return;
          }
          button.disabled = false;
          if (data.errors && data.errors.email) {
            var input = form.querySelector("input[name=email]");
            var error = document.createElement("p");
            error.className = "field-error";
            error.id = input.id + "-error";
            error.textContent = data.errors.email[0];
            input.setAttribute("aria-invalid", "true");
            input.setAttribute("aria-describedby", error.id);
            input.insertAdjacentElement("afterend", error);
            input.focus();
          } else {
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
