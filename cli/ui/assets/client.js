// Live updates for SyncWave's web UI: an EventSource on /events; each event names a stack whose health,
// sync status or drift changed, and the page fetches its own content again (?partial=1) and swaps it
// in, keeping the keyboard focus where it was. No framework: plain DOM.
"use strict";
(function () {
    var status = document.getElementById("live-status");
    var content = document.getElementById("content");
    var versions = JSON.parse(document.body.getAttribute("data-versions") || "{}");
    var pending = false;
    var again = false;

    function say(text) {
        if (status) status.textContent = text;
    }

    function focusKey(el) {
        if (!el || el === document.body) return null;
        if (el.id) return { id: el.id };
        if (el.getAttribute && el.getAttribute("href")) return { href: el.getAttribute("href") };
        if (el.name) return { name: el.name };
        return null;
    }

    function restoreFocus(key) {
        if (!key) return;
        var el = null;
        if (key.id) el = document.getElementById(key.id);
        else if (key.href) el = content.querySelector('[href="' + CSS.escape(key.href) + '"]');
        else if (key.name) el = content.querySelector('[name="' + CSS.escape(key.name) + '"]');
        if (el) el.focus({ preventScroll: true });
    }

    function refetch() {
        if (pending) {
            again = true;
            return;
        }
        pending = true;
        var url = new URL(window.location.href);
        url.searchParams.set("partial", "1");
        url.hash = "";
        fetch(url.toString(), { credentials: "same-origin", headers: { Accept: "text/html" } })
            .then(function (res) {
                if (!res.ok) throw new Error("HTTP " + res.status);
                return res.text();
            })
            .then(function (html) {
                var key = content.contains(document.activeElement) ? focusKey(document.activeElement) : null;
                content.innerHTML = html;
                restoreFocus(key);
                say("live: updated at " + new Date().toLocaleTimeString());
                document.body.setAttribute("data-updated", String(Date.now()));
            })
            .catch(function (err) {
                say("live: update failed (" + err.message + ")");
            })
            .finally(function () {
                pending = false;
                if (again) {
                    again = false;
                    refetch();
                }
            });
    }

    var source = new EventSource(document.body.getAttribute("data-events"), { withCredentials: true });
    source.addEventListener("open", function () {
        say("live: connected");
    });
    source.addEventListener("error", function () {
        say("live: disconnected, retrying");
    });
    source.addEventListener("stack", function (event) {
        var data = JSON.parse(event.data);
        // The first event of a connection repeats the data the page was rendered from, unless it moved since.
        if (versions[data.stack] === data.version) return;
        versions[data.stack] = data.version;
        refetch();
    });
})();
