// The label landing page (/v/CODE): the signed label data travels in the link's #fragment,
// which browsers never send to a server on their own; it is posted once here to be checked
// against the label key (R-ID-2), and the signed lot and expiry are shown.
(function () {
  "use strict";
  var box = document.getElementById("label-check");
  if (!location.hash || location.hash.length < 2) {
    box.textContent = box.dataset.absent; return;
  }
  fetch("/api/v1/labels/verify", {
    method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({text: location.href})
  }).then(function (r) { return r.json().then(function (b) { return [r.ok, b]; }); })
    .then(function (res) {
      var ok = res[0], body = res[1];
      box.className = "banner " + (ok ? "ok" : "bad");
      box.textContent = ok ? box.dataset.ok : box.dataset.bad + " (" + body.detail + ")";
      if (ok) {
        document.getElementById("label-lot").textContent = body.lot || "-";
        document.getElementById("label-expiry").textContent = body.expiry || "-";
      }
    }).catch(function () { box.className = "banner bad"; box.textContent = box.dataset.bad; });
})();
