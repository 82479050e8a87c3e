// The home page's dashboard: sign in (CellTraceSession.desk: the token is shared with the other
// pages of this tab), then show the lists of work awaiting the role (GET /api/v1/worklists),
// each entry linking to its item's page; a list's CSV is a download fetched with the token.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var board = $("dashboard");
  var TEXT = JSON.parse($("dashboard-texts").textContent);

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
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

  function load(page) {
    var days = Math.max(0, Math.min(3650, Number($("dashboard-days").value) || 0));
    fetch("/api/v1/worklists?days=" + days, {headers: page.headers()}).then(function (r) {
      if (!r.ok) return page.refused(r);
      return r.json().then(function (answer) {
        board.innerHTML = ""; page.banner(null);
        answer.lists.forEach(function (found) { board.appendChild(list(found)); });
        $("dashboard-empty").hidden = answer.lists.some(function (l) { return l.count > 0; });
      });
    });
  }

  var page = CellTraceSession.desk({
    load: load,
    clear: function () { board.innerHTML = ""; },
    shown: function (signedIn) { $("dashboard-signin-note").hidden = signedIn; },
    focus: false  // the home page opens on its code lookup, not on the sign-in
  });
  $("dashboard-days").addEventListener("change", function () { if (page.signedIn()) load(page); });
})();
