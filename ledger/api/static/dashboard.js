// The home page's dashboard: sign in (the token is shared with the other pages of this tab),
// then show the lists of work awaiting the role (GET /api/v1/worklists), each entry linking to
// its item's page; a list's CSV is fetched with the token and handed over as a file.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var station = $("station"), board = $("dashboard");
  var TEXT = JSON.parse($("dashboard-texts").textContent);
  var LANG = document.documentElement.lang.indexOf("zh") === 0 ? "zh" : "en";
  var token = sessionStorage.getItem("ct-token"), who = sessionStorage.getItem("ct-who");

  function headers() { return {"Authorization": "Bearer " + token, "Accept-Language": LANG}; }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function banner(text) {
    var b = $("banner");
    b.hidden = !text; b.className = "banner bad"; b.textContent = text || "";
  }

  function show() {
    $("signin").hidden = !!token;
    $("dashboard-signin-note").hidden = !!token;
    station.hidden = !token;
    if (!token) { CellTraceSession.stop(); return; }
    $("who").textContent = who;
    CellTraceSession.start(function () { signOut(true); });
    load();
  }

  function signOut(idle) {
    CellTraceSession.logout(token);
    sessionStorage.clear(); token = null;
    board.innerHTML = ""; banner(null);
    $("idle-note").hidden = idle !== true;
    show();
  }

  function refused(response) {
    return response.json().then(function (body) {
      if (response.status === 401) { signOut(false); $("signin-error").hidden = false; $("signin-error").textContent = body.detail; return; }
      banner(body.detail);
    });
  }

  function list(found) {
    var section = el("section", null, "worklist");
    section.dataset.kind = found.kind;
    var head = el("h3", found.title + " ");
    head.appendChild(el("span", String(found.count), "count"));
    head.appendChild(el("small", " " + found.rule, "note"));
    section.appendChild(head);
    if (!found.entries.length) { section.appendChild(el("p", TEXT.none, "note")); return section; }
    var table = el("table", null, "worklist-table"), body = el("tbody");
    found.entries.forEach(function (entry) {
      var row = el("tr"), link = el("a", entry.code);
      link.href = entry.href;
      var cell = el("td"); cell.appendChild(link); row.appendChild(cell);
      row.appendChild(el("td", entry.status_label));
      row.appendChild(el("td", entry.note));
      row.appendChild(el("td", entry.overdue ? TEXT.overdue : "", entry.overdue ? "overdue" : ""));
      body.appendChild(row);
    });
    table.appendChild(body);
    section.appendChild(table);
    var csv = el("a", found.count > found.entries.length ? TEXT.more : TEXT.csv, "csv");
    csv.href = found.csv; csv.dataset.download = found.kind + ".csv";
    section.appendChild(csv);
    return section;
  }

  function load() {
    var days = Math.max(0, Math.min(3650, Number($("dashboard-days").value) || 0));
    fetch("/api/v1/worklists?days=" + days, {headers: headers()}).then(function (r) {
      if (!r.ok) return refused(r);
      return r.json().then(function (answer) {
        board.innerHTML = ""; banner(null);
        answer.lists.forEach(function (found) { board.appendChild(list(found)); });
        $("dashboard-empty").hidden = answer.lists.some(function (l) { return l.count > 0; });
      });
    });
  }

  board.addEventListener("click", function (e) {
    var link = e.target.closest ? e.target.closest("a[data-download]") : null;
    if (!link) return;
    e.preventDefault();
    fetch(link.getAttribute("href"), {headers: headers()}).then(function (r) {
      if (!r.ok) return refused(r);
      return r.blob().then(function (blob) {
        var a = document.createElement("a");
        a.href = URL.createObjectURL(blob); a.download = link.dataset.download;
        document.body.appendChild(a); a.click(); a.remove();
      });
    });
  });
  $("dashboard-days").addEventListener("change", function () { if (token) load(); });

  var signin = CellTraceSession.signIn($("signin-form"), function (answer) {
    token = answer.access_token; who = answer.person_code + " (" + (answer.role_label || answer.role) + ")";
    sessionStorage.setItem("ct-token", token); sessionStorage.setItem("ct-who", who);
    show();
  }, {station: false});
  $("signout").addEventListener("click", function () { signOut(false); });
  show();
})();
