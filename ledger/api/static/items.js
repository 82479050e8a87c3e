// The item lists page: sign in (the token is shared with the other pages of this tab), then
// load the list of the page's query from /items/panel with the token; its next-page link is
// this page with the next cursor, and the CSV download goes through the API with the token
// (R-ACC-1). Idle countdown and sign-out as on the other pages.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var station = $("station");
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
    if (!token) { CellTraceSession.stop(); signin.focus(); return; }
    $("who").textContent = who;
    CellTraceSession.start(function () { signOut(true); });
    load();
  }

  function signOut(idle) {
    CellTraceSession.logout(token);
    sessionStorage.clear(); token = null;
    $("items-panel").innerHTML = ""; banner(null);
    $("idle-note").hidden = idle !== true;
    show();
  }

  function refused(response) {
    return response.json().then(function (body) {
      if (response.status === 401) { signOut(false); $("signin-error").hidden = false; $("signin-error").textContent = body.detail; return; }
      banner(body.detail);
    });
  }

  // Empty fields are left out of the address, so the list's query names only what was chosen.
  $("item-filters").addEventListener("submit", function (e) {
    e.preventDefault();
    var query = new URLSearchParams();
    new FormData(e.target).forEach(function (value, name) { if (String(value).trim()) query.append(name, value); });
    window.location.search = query.toString();
  });

  function load() {
    fetch("/items/panel" + window.location.search, {headers: headers()}).then(function (r) {
      if (!r.ok) return refused(r);
      return r.text().then(function (html) { $("items-panel").innerHTML = html; banner(null); });
    });
  }

  // The CSV file carries the token, so it is fetched here and handed to the browser as a file.
  document.addEventListener("click", function (e) {
    var link = e.target.closest ? e.target.closest("a[data-download]") : null;
    if (!link) return;
    e.preventDefault();
    fetch(link.getAttribute("href"), {headers: headers()}).then(function (r) {
      if (!r.ok) return refused(r);
      return r.blob().then(function (blob) {
        var a = document.createElement("a");
        a.href = URL.createObjectURL(blob); a.download = link.dataset.download;
        document.body.appendChild(a); a.click(); a.remove();
        banner(null);
      });
    });
  });

  var signin = CellTraceSession.signIn($("signin-form"), function (answer) {
    token = answer.access_token; who = answer.person_code + " (" + (answer.role_label || answer.role) + ")";
    sessionStorage.setItem("ct-token", token); sessionStorage.setItem("ct-who", who);
    show();
  }, {station: false});
  $("signout").addEventListener("click", function () { signOut(false); });
  show();
})();
