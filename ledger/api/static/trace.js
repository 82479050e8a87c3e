// The auditor's trace page: sign in (the token is shared with the operator station in this
// tab), then load the genealogy and timeline with the token; proof and label downloads go
// through the API with the token too (R-ACC-1). Idle countdown and sign-out as on /scan.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var station = $("station");
  var code = station.dataset.code, direction = station.dataset.direction;
  var LANG = document.documentElement.lang.indexOf("zh") === 0 ? "zh" : "en";
  var token = sessionStorage.getItem("ct-token"), who = sessionStorage.getItem("ct-who");

  function headers() { return {"Authorization": "Bearer " + token, "Accept-Language": LANG}; }

  function banner(text) {
    var b = $("banner");
    b.hidden = !text; b.className = "banner bad"; b.textContent = text || "";
  }

  function show() {
    $("signin").hidden = !!token;
    station.hidden = !token;
    if (!token) { CellTraceSession.stop(); return; }
    $("who").textContent = who;
    CellTraceSession.start(function () { signOut(true); });
    load();
  }

  function signOut(idle) {
    CellTraceSession.logout(token);
    sessionStorage.clear(); token = null;
    $("trace-panel").innerHTML = ""; banner(null);
    $("idle-note").hidden = idle !== true;
    show();
  }

  function refused(response) {
    return response.json().then(function (body) {
      if (response.status === 401) { signOut(false); $("signin-error").hidden = false; $("signin-error").textContent = body.detail; return; }
      banner(body.detail);
    });
  }

  function load() {
    var path = "/trace/" + encodeURIComponent(code) + "/panel?direction=" + direction;
    fetch(path, {headers: headers()}).then(function (r) {
      if (!r.ok) return refused(r);
      return r.text().then(function (html) { $("trace-panel").innerHTML = html; banner(null); });
    });
  }

  // Downloads carry the token, so they are fetched here and handed to the browser as a file.
  document.addEventListener("click", function (e) {
    var link = e.target.closest ? e.target.closest("a[data-download]") : null;
    if (!link) return;
    e.preventDefault();
    var url = link.getAttribute("href");
    var reason = link.dataset.reason ? $(link.dataset.reason).value.trim() : "";
    if (reason) url += "?reason=" + encodeURIComponent(reason);
    fetch(url, {headers: headers()}).then(function (r) {
      if (!r.ok) return refused(r);
      return r.blob().then(function (blob) {
        var a = document.createElement("a");
        a.href = URL.createObjectURL(blob); a.download = link.dataset.download;
        document.body.appendChild(a); a.click(); a.remove();
        banner(null);
      });
    });
  });

  $("signin-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var data = new URLSearchParams(new FormData(e.target));
    if (!data.get("role")) data.delete("role");
    fetch("/api/v1/auth/token", {method: "POST", body: data, headers: {"Accept-Language": LANG}})
      .then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); })
      .then(function (res) {
        if (res[0] !== 200) {
          $("signin-error").hidden = false; $("signin-error").textContent = res[1].detail; return;
        }
        $("signin-error").hidden = true; $("idle-note").hidden = true;
        token = res[1].access_token; who = res[1].person_code + " (" + res[1].role + ")";
        sessionStorage.setItem("ct-token", token); sessionStorage.setItem("ct-who", who);
        e.target.reset(); show();
      });
  });
  $("signout").addEventListener("click", function () { signOut(false); });
  show();
})();
