// Comments, enhanced: post in place, reply under the comment, a live preview, and the
// reader's own edit links on the cached page. Without this script the form posts and
// redirects, Reply opens a page of its own, and edit links show after posting.
(function () {
  "use strict";
  var thread = document.querySelector("[data-comments]");
  var form = thread && thread.querySelector("[data-comment-form]");
  if (!thread || !window.fetch) return;

  // Report in place (also on a closed thread). Without this script the button posts the
  // small report form and a page says thank you.
  thread.addEventListener("click", function (event) {
    var button = event.target.closest("button.comment-report");
    if (!button) return;
    event.preventDefault();
    if (button.getAttribute("aria-disabled") === "true") return;
    button.setAttribute("aria-disabled", "true");
    var note = button.parentNode.querySelector(".comment-reported");
    if (!note) {
      note = document.createElement("span");
      note.className = "comment-reported";
      note.setAttribute("role", "status");
      button.after(note);
    }
    fetch(button.getAttribute("formaction"), {
      method: "POST",
      body: new FormData(document.getElementById("comment-report")),
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        note.textContent = answer.message;
        if (answer.ok) button.textContent = "Reported"; else button.removeAttribute("aria-disabled");
      })
      .catch(function () {
        note.textContent = "The report could not be sent. Check your connection and try again.";
        button.removeAttribute("aria-disabled");
      });
  });

  if (!form) return;
  var home = form.parentNode;
  var homeNext = form.nextSibling;
  var status = form.querySelector(".comment-status");
  var parentInput = form.querySelector("input[name=parent]");
  var body = form.querySelector("textarea[name=body]");
  var preview = form.querySelector("[data-comment-preview]");
  var cancel = null;
  var nameInput = form.querySelector("input[name=name]");
  var emailInput = form.querySelector("input[name=email]");

  // Who last posted from this browser, kept only in this browser (the server sets no
  // cookie for it), so a reply after a reload needs only the comment. A note under the
  // fields says so and offers to forget them.
  var COMMENTER_KEY = "dateline-commenter";
  var remembered = form.querySelector("[data-comment-remembered]");
  try {
    var known = JSON.parse(localStorage.getItem(COMMENTER_KEY) || "null");
    if (known && !nameInput.value) nameInput.value = known.name || "";
    if (known && !emailInput.value) emailInput.value = known.email || "";
    if (known && remembered) remembered.hidden = false;
  } catch (e) { /* storage off: the reader types them */ }

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("form-error", !!isError);
  }

  if (remembered) {
    remembered.querySelector("[data-comment-forget]").addEventListener("click", function () {
      try { localStorage.removeItem(COMMENTER_KEY); } catch (e) { /* storage off */ }
      nameInput.value = "";
      emailInput.value = "";
      remembered.hidden = true;
      say("Forgotten: this browser no longer fills in your name and email.");
      nameInput.focus();
    });
  }

  // The published count shows above the thread and in the article's "Click to comment"
  // link; the server says what it is now, after this comment.
  function showCount(text) {
    if (!text) return;
    var total = thread.querySelector("[data-comment-total]");
    if (total) total.textContent = text;
    var link = document.querySelector(".comment-link a");
    if (!link) return;
    var count = link.querySelector(".comment-count");
    if (!count) {
      count = document.createElement("span");
      count.className = "comment-count";
      link.append(" ", count);
    }
    count.textContent = "(" + text + ")";
  }

  // The message names the field at fault: a screen reader reads it with the field.
  status.id = status.id || "comment-status";
  function describeWith(field) {
    form.querySelectorAll("[aria-describedby]").forEach(function (el) {
      var ids = el.getAttribute("aria-describedby").split(" ").filter(function (id) {
        return id && id !== status.id && id !== "comment-error";
      });
      if (el === field) ids.push(status.id);
      if (ids.length) el.setAttribute("aria-describedby", ids.join(" ")); else el.removeAttribute("aria-describedby");
    });
    if (field && !field.hasAttribute("aria-describedby")) field.setAttribute("aria-describedby", status.id);
  }

  function fromHTML(html) {
    var holder = document.createElement("div");
    holder.innerHTML = html; // made and sanitised on the server (render.py)
    return holder.firstElementChild;
  }

  function listFor(parentId) {
    if (!parentId) {
      var list = thread.querySelector(".comment-list");
      if (!list) {
        list = document.createElement("ol");
        list.className = "comment-list";
        thread.insertBefore(list, home === thread ? form : thread.querySelector("#comment-form-h"));
      }
      return list;
    }
    var parent = document.getElementById("comment-" + parentId);
    var replies = parent.querySelector(":scope > .comment-replies");
    if (!replies) {
      replies = document.createElement("ol");
      replies.className = "comment-replies";
      parent.appendChild(replies);
    }
    return replies;
  }

  function putBack() {
    parentInput.value = "";
    home.insertBefore(form, homeNext);
    if (cancel) { cancel.remove(); cancel = null; }
  }

  thread.addEventListener("click", function (event) {
    var link = event.target.closest("[data-reply]");
    if (!link) return;
    event.preventDefault();
    var id = link.getAttribute("data-reply");
    parentInput.value = id;
    link.closest(".comment-actions").after(form);
    if (!cancel) {
      cancel = document.createElement("button");
      cancel.type = "button";
      cancel.textContent = "Cancel reply";
      cancel.addEventListener("click", putBack);
      form.querySelector("button[type=submit]").after(cancel);
    }
    body.focus();
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = new FormData(form);
    say("Posting…");
    fetch(form.action, { method: "POST", body: data, headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
        describeWith(null);
        if (!answer.ok) {
          say(answer.message, true);
          var field = answer.field && form.querySelector("[name=" + answer.field + "]");
          if (field) { field.setAttribute("aria-invalid", "true"); describeWith(field); field.focus(); }
          return;
        }
        var item = fromHTML(answer.html);
        if (answer.status === "held") {
          item.classList.add("comment-held");
          var note = document.createElement("p");
          note.innerHTML = "<strong>Your comment is awaiting moderation.</strong>";
          item.insertBefore(note, item.firstChild);
        }
        try {
          localStorage.setItem(COMMENTER_KEY, JSON.stringify({ name: nameInput.value, email: emailInput.value }));
          if (remembered) remembered.hidden = false;
        } catch (e) { /* storage off */ }
        putBack();
        listFor(answer.parent).appendChild(item);
        if (answer.status === "approved") showCount(answer.count);
        body.value = "";
        if (preview) preview.hidden = true;
        say(answer.message);
      })
      .catch(function () { say("Your comment could not be sent. Check your connection and try again.", true); });
  });

  var timer = null;
  if (preview && body) {
    body.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (!body.value.trim()) { preview.hidden = true; return; }
        var data = new FormData();
        data.append("body", body.value);
        fetch("/comments/preview/", { method: "POST", body: data })
          .then(function (response) { return response.json(); })
          .then(function (answer) {
            if (!answer.ok) return;
            preview.querySelector(".comment-body").innerHTML = answer.html; // sanitised on the server
            preview.hidden = false;
          })
          .catch(function () {});
      }, 400);
    });
  }

  // The cached page is the same for everyone; the reader's own comments come from here.
  if (document.cookie.indexOf("dateline_commented=1") !== -1 && location.search.indexOf("comment=") === -1) {
    fetch("/comments/mine/" + thread.getAttribute("data-article") + "/", { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        answer.comments.forEach(function (c) {
          var shown = document.getElementById("comment-" + c.id);
          if (!shown && c.status === "approved") {
            // Published since this copy of the page was made (the browser may keep one).
            var parentShown = !c.parent || document.getElementById("comment-" + c.parent);
            if (parentShown) {
              shown = fromHTML(c.item);
              listFor(c.parent).appendChild(shown);
              return; // its own Edit and Delete links are in it already
            }
          }
          if (!shown && c.status === "held") {
            shown = document.createElement("div");
            shown.className = "comment-held";
            shown.id = "comment-" + c.id;
            shown.setAttribute("role", "status");
            shown.innerHTML = "<p><strong>Your comment is awaiting moderation.</strong></p><div class=\"comment-body\"></div><p class=\"comment-actions\"></p>";
            shown.querySelector(".comment-body").innerHTML = c.html; // sanitised on the server
            thread.insertBefore(shown, thread.firstChild);
          }
          var actions = shown && shown.querySelector(".comment-actions");
          if (actions && c.editable && !actions.querySelector("[data-own]")) {
            actions.insertAdjacentHTML("beforeend", ' <a data-own href="' + c.edit_url + '">Edit</a> <a data-own href="' + c.delete_url + '">Delete</a>');
          }
        });
      })
      .catch(function () {});
  }
})();
