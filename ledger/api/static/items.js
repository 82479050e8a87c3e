// The item lists page: sign in (CellTraceSession.desk: the token is shared with the other pages
// of this tab), then load the list of the page's query from /items/panel with the token; its
// next-page link is this page with the next cursor, and the CSV download goes through the API
// with the token (R-ACC-1).
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };

  // Empty fields are left out of the address, so the list's query names only what was chosen.
  $("item-filters").addEventListener("submit", function (e) {
    e.preventDefault();
    var query = new URLSearchParams();
    new FormData(e.target).forEach(function (value, name) { if (String(value).trim()) query.append(name, value); });
    window.location.search = query.toString();
  });

  CellTraceSession.desk({
    load: function (desk) {
      fetch("/items/panel" + window.location.search, {headers: desk.headers()}).then(function (r) {
        if (!r.ok) return desk.refused(r);
        return r.text().then(function (html) { $("items-panel").innerHTML = html; desk.banner(null); });
      });
    },
    clear: function () { $("items-panel").innerHTML = ""; }
  });
})();
