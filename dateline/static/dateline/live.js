// New posts on a live blog without a reload (dateline/live). The page is complete
// without this script, and its "Refresh" link reloads it. The update channel is the
// same for every reader, so the browser revalidates it with its ETag: an unchanged
// poll is a 304. New posts go in at the top when the reader is there; a reader who has
// scrolled into the stream gets a "n new posts" button instead, so nothing moves under
// them. A polite live region says what arrived without taking focus.
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.getAttribute("data-updates");
  var stream = document.getElementById("live-stream");
  var pinnedBox = document.getElementById("live-pinned");
  var eventsBox = document.getElementById("live-key-events");
  var status = document.getElementById("live-status");
  var newBox = document.getElementById("live-new-box");
  var newButton = document.getElementById("live-new");
  if (!url || !stream || !window.fetch || !window.JSON) {
    return;
  }
  // The page says how often to ask (LIVE_POLL_SECONDS): an unchanged answer is a 304.
  var blogBox = stream.closest("[data-poll-seconds]");
  var seconds = parseFloat(blogBox && blogBox.getAttribute("data-poll-seconds"));
  var INTERVAL = (seconds >= 1 ? seconds : 2) * 1000;
  var MAX_BACKOFF = 60000;
  var delay = INTERVAL;
  var last = null;
  var waiting = [];
  var timer = null;
  var inFlight = false;
  var ended = false;

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  // What a fragment shows: its posts (with their last change) and its links to posts.
  function signature(root) {
    var parts = [];
    Array.prototype.forEach.call(root.querySelectorAll(".live-post"), function (el) {
      parts.push(el.id + "@" + el.getAttribute("data-updated"));
    });
    Array.prototype.forEach.call(root.querySelectorAll("a[href^='#post-']"), function (a) {
      parts.push(a.getAttribute("href") + " " + a.textContent);
    });
    return parts.join("|");
  }

  // Replaced only when it shows something else: a reader's focus on a key event link
  // stays where it is while nothing there changed.
  function replaceIfChanged(box, html) {
    if (!box) {
      return;
    }
    var next = fragment(html);
    if (signature(next) !== signature(box)) {
      box.replaceChildren(next);
    }
  }

  function plural(n) {
    return n === 1 ? "1 new post" : n + " new posts";
  }

  function announce(text) {
    if (status) {
      status.textContent = "";
      // A change after emptying is announced even when the text is the same as before.
      window.setTimeout(function () { status.textContent = text; }, 50);
    }
  }

  function readingBelowTop() {
    return stream.getBoundingClientRect().top < 0;
  }

  function insert(posts) {
    var empty = document.getElementById("live-empty");
    if (empty) {
      empty.remove();
    }
    // Oldest of the batch first, each at the top: the newest ends up first.
    for (var i = posts.length - 1; i >= 0; i--) {
      stream.insertBefore(fragment(posts[i].html), stream.firstChild);
    }
  }

  function showWaiting() {
    if (!newBox || !newButton) {
      insert(waiting);
      waiting = [];
      return;
    }
    newButton.textContent = "Show " + plural(waiting.length);
    newBox.hidden = waiting.length === 0;
  }

  function apply(data) {
    var ids = {};
    var fresh = [];
    var oldest = null;
    data.posts.forEach(function (post) {
      ids[post.id] = true;
      oldest = post.posted_at;
      if (post.pinned) {
        return; // shown in its own place, replaced below
      }
      var shown = document.getElementById(post.id);
      if (shown && shown.parentNode === stream) {
        if (shown.getAttribute("data-updated") !== post.updated_at) {
          stream.replaceChild(fragment(post.html), shown);
        }
      } else if (!waiting.some(function (w) { return w.id === post.id; })) {
        if (shown) {
          shown.remove(); // it was the pinned post, now back in the stream
          stream.insertBefore(fragment(post.html), stream.firstChild);
        } else {
          fresh.push(post);
        }
      }
    });
    // Posts deleted since (or pinned: they come back in the pinned box).
    Array.prototype.slice.call(stream.querySelectorAll(".live-post")).forEach(function (el) {
      var time = el.querySelector("time");
      var when = time && time.getAttribute("datetime");
      var gone = !ids[el.id] || (data.posts.some(function (p) { return p.id === el.id && p.pinned; }));
      if (gone && (oldest === null || (when && when >= oldest))) {
        el.remove();
      }
    });
    waiting = waiting.filter(function (w) { return ids[w.id]; });
    replaceIfChanged(pinnedBox, data.pinned);
    replaceIfChanged(eventsBox, data.key_events);
    if (fresh.length) {
      fresh.sort(function (a, b) { return a.posted_at < b.posted_at ? 1 : -1; });
      if (readingBelowTop()) {
        waiting = fresh.concat(waiting);
        showWaiting();
      } else {
        insert(fresh);
      }
      announce(plural(fresh.length));
    }
    if (!data.live && !ended) {
      ended = true;
      announce("This live coverage has ended.");
    }
  }

  function schedule(ms) {
    window.clearTimeout(timer);
    timer = null;
    if (!ended && document.visibilityState !== "hidden") {
      timer = window.setTimeout(poll, ms);
    }
  }

  // One poll at a time, the next one set when this one is answered: a slow answer
  // never piles requests up. A hidden page does not ask at all.
  function poll() {
    window.clearTimeout(timer); // when called early (the page shown again)
    timer = null;
    if (inFlight || ended || document.visibilityState === "hidden") {
      return;
    }
    inFlight = true;
    // "no-cache": the browser asks again every time, sending the ETag it holds.
    window.fetch(url, { cache: "no-cache", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.text();
      })
      .then(function (text) {
        // Applying is idempotent, so the first answer also brings a page that was
        // kept by the browser up to date.
        if (text !== last) {
          last = text;
          apply(JSON.parse(text));
        }
        delay = INTERVAL;
      })
      .catch(function () {
        // Network down or the server struggling: ask less often, up to once a minute.
        // The Refresh link still works meanwhile.
        delay = Math.min(delay * 2, MAX_BACKOFF);
      })
      .then(function () {
        inFlight = false;
        schedule(delay);
      });
  }

  if (newButton) {
    newButton.addEventListener("click", function () {
      insert(waiting);
      waiting = [];
      newBox.hidden = true;
      stream.scrollIntoView();
      var first = stream.querySelector(".live-post");
      if (first) {
        first.setAttribute("tabindex", "-1");
        first.focus({ preventScroll: true });
      }
    });
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      window.clearTimeout(timer);
      timer = null;
    } else {
      poll(); // back on the page: what it missed, at once
    }
  });
  poll();
})();
