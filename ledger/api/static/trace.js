// The auditor's trace page: sign in (the token is shared with the operator station in this
// tab), then load the genealogy and timeline with the token; proof and label downloads go
// through the API with the token too (R-ACC-1). Idle countdown and sign-out as on /scan.
// The genealogy shows as a zoomable picture or a searchable list (CellTraceGenealogy, R-TRC-3).
var CellTraceGenealogy = (function () {
  "use strict";
  var MIN_TEXT_PX = 11;  // the picture is never zoomed out below this text size
  var STEPS = [1, 1.25, 1.5, 2, 2.5, 3];

  // The picture: drawn at its own size (see graph_svg.py) in a box that scrolls; zoom changes
  // its drawn size around the middle of the box; a mouse or pen drag pans it (a finger pans by
  // the box's own scrolling), and a drag does not follow the link it started on.
  function picture(view) {
    var box = view.querySelector("#graph"), svg = box.querySelector("svg.genealogy");
    var width = svg.viewBox.baseVal.width, height = svg.viewBox.baseVal.height;
    var font = Number(svg.getAttribute("data-min-font") || MIN_TEXT_PX);
    var least = Math.ceil(MIN_TEXT_PX / font * 100) / 100;  // a whole percent, never below
    var steps = [least].concat(STEPS.filter(function (s) { return s > least + 0.01; }));
    var base = least > 1 ? 0 : steps.indexOf(1), at = base, scale = 1;

    function apply(next) {  // the point in the middle of the box stays there
      var x = box.clientWidth / 2, y = box.clientHeight / 2;
      var px = (box.scrollLeft + x) / scale, py = (box.scrollTop + y) / scale;
      scale = next;
      svg.style.width = width * scale + "px"; svg.style.height = height * scale + "px";
      box.dataset.scale = String(scale);
      box.scrollLeft = px * scale - x; box.scrollTop = py * scale - y;
      view.querySelector("#zoom-level").value = Math.round(scale * 100) + "%";
      view.querySelector("#zoom-out").disabled = at <= 0;
      view.querySelector("#zoom-in").disabled = at >= steps.length - 1;
    }
    function zoom(by) {
      var next = Math.max(0, Math.min(steps.length - 1, at + by));
      if (next !== at) { at = next; apply(steps[at]); }
    }
    function home() {  // reading size, the traced item in the middle of the box
      at = base; apply(steps[at]);
      var root = svg.querySelector('g.node[data-code="' + svg.getAttribute("data-root") + '"] rect');
      if (!root) return;
      box.scrollLeft = (root.x.baseVal.value + root.width.baseVal.value / 2) * scale - box.clientWidth / 2;
      box.scrollTop = (root.y.baseVal.value + root.height.baseVal.value / 2) * scale - box.clientHeight / 2;
    }
    view.querySelector("#zoom-in").addEventListener("click", function () { zoom(1); });
    view.querySelector("#zoom-out").addEventListener("click", function () { zoom(-1); });
    view.querySelector("#zoom-reset").addEventListener("click", home);
    box.addEventListener("keydown", function (e) {
      if (e.key === "+" || e.key === "=") zoom(1);
      else if (e.key === "-") zoom(-1);
      else if (e.key === "0") home();
      else return;
      e.preventDefault();
    });

    var drag = null, dragged = false;
    box.addEventListener("pointerdown", function (e) {
      dragged = false;
      if (e.pointerType === "touch" || e.button !== 0) return;
      drag = {x: e.clientX, y: e.clientY, left: box.scrollLeft, top: box.scrollTop, id: e.pointerId, moved: false};
    });
    box.addEventListener("pointermove", function (e) {
      if (!drag || e.pointerId !== drag.id) return;
      var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 5) return;
      if (!drag.moved) { drag.moved = true; box.setPointerCapture(drag.id); box.classList.add("dragging"); }
      box.scrollLeft = drag.left - dx; box.scrollTop = drag.top - dy;
    });
    function end(e) {
      if (!drag || e.pointerId !== drag.id) return;
      dragged = drag.moved; drag = null; box.classList.remove("dragging");
    }
    box.addEventListener("pointerup", end);
    box.addEventListener("pointercancel", end);
    box.addEventListener("click", function (e) {  // the click that ends a drag opens nothing
      if (dragged) { e.preventDefault(); e.stopPropagation(); }
      dragged = false;
    }, true);
    box.addEventListener("dragstart", function (e) { e.preventDefault(); });
    return home;
  }

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // The list: the picture's nodes grouped by item type (in the picture's column order), then by
  // parent (an item with several parents sits under the first and names the others).
  function list(view) {
    var svg = view.querySelector("svg.genealogy"), where = view.querySelector("#trace-list");
    var words = where.dataset, items = {}, order = [];
    svg.querySelectorAll("g.node").forEach(function (g) {
      var d = g.dataset;
      items[d.code] = {code: d.code, type: d.type, typeLabel: d.typeLabel, status: d.status,
        statusLabel: d.statusLabel, parents: [], held: g.classList.contains("held"),
        flagged: g.classList.contains("flagged"), root: g.classList.contains("root")};
      order.push(d.code);
    });
    svg.querySelectorAll("path.edge").forEach(function (p) {
      var child = items[p.dataset.child];
      if (child && items[p.dataset.parent] && child.parents.indexOf(p.dataset.parent) < 0) {
        child.parents.push(p.dataset.parent);
      }
    });
    var types = [], byType = {};
    order.forEach(function (code) {
      var item = items[code], parent = item.parents.length ? item.parents.slice().sort()[0] : "";
      if (!byType[item.type]) { byType[item.type] = {label: item.typeLabel, parents: [], of: {}}; types.push(item.type); }
      var group = byType[item.type];
      if (!group.of[parent]) { group.of[parent] = []; group.parents.push(parent); }
      group.of[parent].push(item);
    });

    function count(n) { return el("span", "count", String(n)); }
    function details(className, open) {
      var d = el("details", className);
      d.open = open; d.dataset.open = open ? "1" : "";
      return d;
    }
    function entry(item, parent) {
      var li = el("li", "entry" + (item.root ? " root" : "") + (item.held ? " held" : "") + (item.flagged ? " flagged" : ""));
      li.dataset.code = item.code; li.dataset.status = item.status; li.dataset.type = item.type;
      li.dataset.find = [item.status, item.statusLabel, item.type, item.typeLabel].join("\n").toLowerCase();
      var a = el("a", "", item.code);
      a.href = "/trace/" + encodeURIComponent(item.code);
      li.appendChild(a);
      li.appendChild(el("span", "status", item.statusLabel));
      var others = item.parents.filter(function (p) { return p !== parent; });
      if (others.length) {
        var shown = others.slice(0, 3).join(", ") + (others.length > 3 ? " \u2026 (+" + (others.length - 3) + ")" : "");
        li.appendChild(el("span", "also", words.alsoFrom + " " + shown));
      }
      return li;
    }
    var tree = view.querySelector("#trace-tree");
    types.forEach(function (type) {
      var group = byType[type], total = 0;
      group.parents.forEach(function (p) { total += group.of[p].length; });
      var outer = details("type-group", true);
      var head = el("summary", "", group.label);
      head.appendChild(count(total));
      outer.appendChild(head);
      group.parents.forEach(function (parent) {
        var ul = el("ul");
        group.of[parent].forEach(function (item) { ul.appendChild(entry(item, parent)); });
        if (group.parents.length === 1 && !parent) { outer.appendChild(ul); return; }
        var inner = details("parent-group", group.of[parent].length <= 12);
        var summary = el("summary");
        if (parent) { summary.appendChild(document.createTextNode(words.from + " ")); summary.appendChild(el("code", "", parent)); }
        else summary.appendChild(document.createTextNode(words.noParent));
        summary.appendChild(count(group.of[parent].length));
        inner.appendChild(summary); inner.appendChild(ul);
        outer.appendChild(inner);
      });
      tree.appendChild(outer);
    });

    // The search: a code prefix, or a word of the status or the type (either language), shows
    // the matching entries and opens their branches; an empty search restores the tree.
    var entries = tree.querySelectorAll("li.entry"), groups = tree.querySelectorAll("details");
    function filter(text) {
      var q = text.trim().toLowerCase(), shown = 0;
      entries.forEach(function (li) {
        var ok = !q || li.dataset.code.toLowerCase().indexOf(q) === 0 || li.dataset.find.indexOf(q) >= 0;
        li.hidden = !ok; if (ok) shown += 1;
      });
      groups.forEach(function (d) {
        var any = d.querySelector("li.entry:not([hidden])") !== null;
        d.hidden = !any; d.open = q ? any : d.dataset.open === "1";
      });
      view.querySelector("#trace-count").textContent = q ? words.matches.replace("{n}", shown).replace("{total}", entries.length) : "";
      view.querySelector("#trace-no-match").hidden = !q || shown > 0;
    }
    view.querySelector("#trace-search").addEventListener("input", function (e) { filter(e.target.value); });
    return entries.length;
  }

  // A large graph opens as the list, a small one as the picture; the buttons switch.
  function show(view) {
    if (!view || !view.querySelector("svg.genealogy")) return;
    var home = picture(view), size = list(view), placed = false;
    function use(kind) {
      view.dataset.show = kind;
      view.querySelector("#trace-picture").hidden = kind !== "picture";
      view.querySelector("#trace-list").hidden = kind !== "list";
      view.querySelectorAll(".view-switch button").forEach(function (b) {
        b.setAttribute("aria-pressed", String(b.dataset.view === kind));
      });
      if (kind === "picture" && !placed) { placed = true; home(); }
    }
    view.querySelectorAll(".view-switch button").forEach(function (b) {
      b.addEventListener("click", function () { use(b.dataset.view); });
    });
    use(size > Number(view.dataset.listFrom || 60) ? "list" : "picture");
  }

  return {show: show};
})();

(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var station = $("station");
  var code = station.dataset.code, direction = station.dataset.direction;

  var desk = CellTraceSession.desk({
    load: function (page) {
      var path = "/trace/" + encodeURIComponent(code) + "/panel?direction=" + direction;
      fetch(path, {headers: page.headers()}).then(function (r) {
        if (!r.ok) return page.refused(r);
        return r.text().then(function (html) {
          $("trace-panel").innerHTML = html; page.banner(null);
          CellTraceGenealogy.show($("trace-view"));
        });
      });
    },
    clear: function () { $("trace-panel").innerHTML = ""; }
  });

  // Print the item's label, or every label of its fill run, on the chosen printer (R-ID-2);
  // a label printed before needs the reason typed beside the label link.
  document.addEventListener("click", function (e) {
    var button = e.target.closest ? e.target.closest("button[data-print]") : null;
    if (!button) return;
    var box = $("print-to"), reason = $("label-reason").value.trim();
    var body = button.dataset.print === "run" ? {lot: box.dataset.code} : {codes: [box.dataset.code]};
    body.reason = reason;
    var h = desk.headers(); h["Content-Type"] = "application/json";
    var path = "/api/v1/printers/" + encodeURIComponent($("print-printer").value) + "/print";
    fetch(path, {method: "POST", headers: h, body: JSON.stringify(body)}).then(function (r) {
      if (!r.ok) return desk.refused(r);
      return r.json().then(function (answer) {
        desk.banner(box.dataset.sent + ": " + answer.printer + " - " + answer.printed.join(", "), true);
        $("label-reason").value = "";
      });
    });
  });
})();
