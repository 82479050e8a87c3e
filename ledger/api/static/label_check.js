// The label landing page (/v/CODE): the signed label data travels in the link's #fragment,
// which browsers never send to a server on their own; it is posted here to be checked against
// the label key (R-ID-2), and the signed lot and expiry are shown. A changed fragment (a link
// edited in the same tab) is checked again from scratch: the earlier verdict never stays up.
(function () {
  "use strict";
  var box = document.getElementById("label-check");
  var lot = document.getElementById("label-lot"), expiry = document.getElementById("label-expiry");
  var asked = 0;  // only the answer for the fragment now in the address counts

  function check() {
    var mine = ++asked;
    box.className = "banner info"; box.textContent = box.dataset.checking;
    lot.textContent = "-"; expiry.textContent = "-";
    if (!location.hash || location.hash.length < 2) {
      box.textContent = box.dataset.absent; return;
    }
    fetch("/api/v1/labels/verify", {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({text: location.href})
    }).then(function (r) { return r.json().then(function (b) { return [r.ok, b]; }); })
      .then(function (res) {
        if (mine !== asked) return;
        var ok = res[0], body = res[1];
        box.className = "banner " + (ok ? "ok" : "bad");
        box.textContent = ok ? box.dataset.ok : box.dataset.bad + " (" + body.detail + ")";
        if (ok) {
          lot.textContent = body.lot || "-";
          expiry.textContent = body.expiry || "-";
        }
      }).catch(function () {
        if (mine !== asked) return;
        box.className = "banner bad"; box.textContent = box.dataset.bad;
      });
  }

  window.addEventListener("hashchange", check);
  check();
})();
