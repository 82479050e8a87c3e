// Operator station: sign in, scan (a keyboard-wedge scanner types the code and Enter), see the
// item (where it is, its lot and expiry), record the next step with a short form: Enter moves
// between its fields, only the Record button records; print the item's label (or its fill
// run's) on a registered printer. Every refusal shows its rule and message.
(function () {
  "use strict";
  var T = JSON.parse(document.getElementById("texts").textContent);
  var t = function (k) { return T[k] || k; };
  var token = sessionStorage.getItem("ct-token"), who = sessionStorage.getItem("ct-who");
  var $ = function (id) { return document.getElementById(id); };
  // Refusals come back in the page's language (zh-Hans page: Chinese messages from the API).
  var language = document.documentElement.lang || "en";
  // Read-your-writes: every read waits until the read models include this station's last write.
  var lastWrite = Number(sessionStorage.getItem("ct-last") || 0);
  var opened = 0;

  function show() {
    $("signin").hidden = !!token;
    $("station").hidden = !token;
    if (token) {
      $("who").textContent = who; $("scan").focus();
      CellTraceSession.start(function () { signOut(true); });
      loadPrinters();
    } else { CellTraceSession.stop(); signin.focus(); }
  }

  // The printers this person may print on (none for a role that prints no labels).
  var printing = null;  // the code whose label the print form prints
  var RUNS = $("print-form").dataset.fillRuns.split(" ");  // every vial or kit at once
  function loadPrinters() {
    var select = $("print-printer");
    select.innerHTML = "";
    api("GET", "/api/v1/printers").then(function (res) {
      if (res[0] !== 200) return;
      res[1].forEach(function (p) {
        var option = document.createElement("option");
        option.value = p.name; option.textContent = p.name + " (" + p.stock + ", " + p.dpi + " dpi)";
        select.appendChild(option);
      });
      showPrint(printing);
    });
  }
  function showPrint(code) {
    printing = code;
    var kind = code ? code.slice(0, 3) : "";
    $("print-form").hidden = !code || !$("print-printer").options.length || kind === "PER" || kind === "DON";
    $("print-run").hidden = RUNS.indexOf(kind) < 0;
  }
  function print(whole) {
    var name = $("print-printer").value, reason = $("print-reason").value.trim();
    var body = whole ? {lot: printing, reason: reason} : {codes: [printing], reason: reason};
    $("banner").hidden = true;
    api("POST", "/api/v1/printers/" + encodeURIComponent(name) + "/print", body).then(function (res) {
      if (res[0] === 200) {
        banner(true, t("print.sent") + ": " + res[1].printer, [res[1].printed.join(", ")]);
        $("print-reason").value = "";
      } else refusal(res[0], res[1]);
      $("scan").focus();
    });
  }

  // Sign-out (the button, or the idle countdown reaching zero) revokes the token (R-ACC-3).
  function signOut(idle) {
    CellTraceSession.logout(token);
    sessionStorage.clear(); token = null;
    $("card").innerHTML = ""; $("steps").innerHTML = ""; $("banner").hidden = true;
    showPrint(null);
    $("idle-note").hidden = !idle;
    show();
  }

  function banner(ok, title, body) {
    var b = $("banner");
    b.hidden = false;
    b.className = "banner " + (ok ? "ok" : "bad");
    b.innerHTML = "";
    var h = document.createElement("div"); h.textContent = title; b.appendChild(h);
    (body || []).forEach(function (line) {
      var p = document.createElement("div"); p.className = "rule"; p.textContent = line; b.appendChild(p);
    });
  }

  function api(method, path, body) {
    var headers = {"Authorization": "Bearer " + token, "Accept-Language": language,
                   "Device-Time": CellTraceSession.deviceTime()};
    if (body) headers["Content-Type"] = "application/json";
    return fetch(path, {method: method, headers: headers, body: body ? JSON.stringify(body) : undefined})
      .then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); });
  }

  function refusal(status, body) {
    if (status === 401 && body.detail && body.detail.indexOf("R-LED-5") < 0) {
      sessionStorage.clear(); token = null; show();
    }
    var lines = (body.violations || []).map(function (v) { return v.rule + ": " + v.message; });
    if (!lines.length) lines = [body.detail];
    banner(false, t("scan.refused"), lines);
  }

  function setPath(obj, path, value) {
    var parts = path.split("."), o = obj;
    for (var i = 0; i < parts.length - 1; i++) {
      var key = /^\d+$/.test(parts[i + 1]) ? [] : {};
      o = o[parts[i]] = o[parts[i]] || key;
    }
    o[parts[parts.length - 1]] = value;
  }

  function field(f, code) {
    if (f.kind === "meaning") {  // what the signature means, shown and sent (R-LED-5)
      var note = document.createElement("p"), sent = document.createElement("input");
      note.className = "note signing-as";
      note.textContent = t("scan.signing_as") + " " + (T["meaning." + f.default] || f.default);
      sent.type = "hidden"; sent.name = f.name; sent.value = f.default; sent.dataset.kind = "text";
      note.appendChild(sent);
      return note;
    }
    if (f.kind === "item") {  // the scanned item itself, e.g. the vial a culture starts from
      var hidden = document.createElement("input");
      hidden.type = "hidden"; hidden.name = f.name; hidden.value = code; hidden.dataset.kind = "text";
      return hidden;
    }
    var label = document.createElement("label"), input;
    // A field name used by steps of different kinds may have a label per kind
    // ("field.vials.list": the vials scanned, "field.vials": how many to fill).
    label.textContent = T["field." + f.name + "." + f.kind] || t("field." + f.name);
    if (f.kind === "select") {
      input = document.createElement("select");
      f.options.forEach(function (o) { var op = document.createElement("option"); op.value = op.textContent = o; input.appendChild(op); });
      if (f.default) input.value = f.default;
    } else if (f.kind === "list" || f.kind === "reasons") {
      // One scanned code per line (the wedge scanner's Enter starts a new line); "reasons":
      // a code, a space and the reason on each line.
      input = document.createElement("textarea");
      input.rows = 4;
      if (f.required) input.required = true;
    } else if (f.kind === "file") {
      input = document.createElement("input");
      input.type = "file"; input.accept = ".csv,text/csv,text/plain";
      if (f.required) input.required = true;
    } else {
      input = document.createElement("input");
      input.type = {number: "number", date: "date", checkbox: "checkbox", password: "password"}[f.kind] || "text";
      if (f.kind === "number") input.step = "any";
      if (f.kind === "checkbox") input.checked = f.default !== false;
      else if (f.kind === "date") input.value = new Date().toISOString().slice(0, 10);
      else if (f.default !== null && f.default !== undefined) input.value = f.default;
      if (f.required && f.kind !== "checkbox") input.required = true;
    }
    input.name = f.name; input.dataset.kind = f.kind;
    label.appendChild(input);
    return label;
  }

  function reasons(text) {  // "CODE the reason" on each line -> {CODE: "the reason"}
    var out = {};
    text.split("\n").forEach(function (line) {
      var m = line.trim().match(/^(\S+)\s*(.*)$/);
      if (m) out[m[1]] = m[2];
    });
    return out;
  }

  function stepForm(code, step) {
    var form = document.createElement("form");
    form.className = "step"; form.dataset.step = step.key;
    var h = document.createElement("h3"); h.textContent = t("step." + step.key); form.appendChild(h);
    step.fields.forEach(function (f) { form.appendChild(field(f, code)); });
    var button = document.createElement("button"); button.type = "submit"; button.className = "big";
    button.textContent = t("scan.record"); form.appendChild(button);
    // A wedge scanner ends each scan with Enter: in a field it moves on to the next field and
    // never records with the defaults still in place; only the Record button records. In a
    // list (a textarea) Enter starts a new line; the last field keeps the focus.
    form.addEventListener("keydown", function (e) {
      var here = e.target;
      if (e.key !== "Enter" || e.isComposing || here === button || here.tagName === "TEXTAREA") return;
      e.preventDefault();
      var fields = Array.prototype.filter.call(form.elements, function (el) {
        return /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName) && el.type !== "hidden" && !el.disabled;
      });
      var next = fields[fields.indexOf(here) + 1];
      if (next) next.focus();
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      // The last answer goes away while this one is on its way, and a second press waits.
      $("banner").hidden = true; button.disabled = true;
      var scans = opened;
      var body = {}, files = [];
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name) return;
        var kind = el.dataset.kind, v = kind === "checkbox" ? el.checked : el.value;
        if (kind === "number") v = el.value === "" ? null : Number(el.value);
        if (kind === "list") v = el.value.split(/[\s,;]+/).filter(Boolean);
        if (kind === "reasons") v = reasons(el.value);
        if (kind === "file") {  // the chosen file's text, read before posting
          if (el.files.length) files.push(el.files[0].text().then(function (text) { setPath(body, el.name, text); }));
          return;
        }
        setPath(body, el.name, v);
      });
      Promise.all(files).then(function () { return api("POST", step.path, body); }).then(function (res) {
        button.disabled = false;
        if (res[0] < 300) {
          var made = res[1].code || (res[1].codes || []).join(", ");
          banner(true, t("scan.recorded") + ": " + t("step." + step.key), made ? [made] : []);
          remember(res[1].notification_id);
          // Show the item again with its next steps, unless the operator has scanned the
          // next item meanwhile: their scan wins.
          if (scans === opened) open(code);
        }
        else refusal(res[0], res[1]);
        $("scan").focus();
      }, function () { button.disabled = false; banner(false, t("scan.refused"), []); });
    });
    return form;
  }

  function remember(after) {
    if (after) { lastWrite = Math.max(lastWrite, after); sessionStorage.setItem("ct-last", lastWrite); }
  }

  // R-QMS-6: "filled 6 = retained 1 + shipped 3 + destroyed 1 + in stock 1", in the page's words
  function equation(numbers) {
    var names = Object.keys(numbers), total = names[0];
    var parts = names.slice(1).filter(function (k) { return k !== "unaccounted" || numbers[k]; });
    return t("account." + total) + " " + numbers[total] + " = " + parts.map(function (k) {
      return t("account." + k) + " " + numbers[k];
    }).join(" + ");
  }

  // A shipment's or storage unit's temperature record, pictured under its card: what the QP
  // looks at before releasing, and QA before assessing an excursion (R-SHP-4, R-SHP-5).
  var RECORDS = {"SHP": "/api/v1/shipments/", "UNT": "/api/v1/storage-units/"};
  function temperatures(code, mine) {
    var base = RECORDS[code.slice(0, 3)];
    if (!base) return;
    var headers = {"Authorization": "Bearer " + token, "Accept-Language": language};
    fetch(base + encodeURIComponent(code) + "/temperatures.svg?lang=" + language, {headers: headers})
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (svg) {
        if (!svg || mine !== opened) return;
        var figure = document.createElement("figure");
        figure.className = "temperature-chart"; figure.id = "temperature";
        figure.innerHTML = svg;  // made by the server, every text escaped
        $("card").appendChild(figure);
      });
  }

  function open(code) {
    // A label's QR text is its page link: keep the code (the server checks it in full).
    code = code.trim();
    var link = code.match(/\/v\/([^/?#]+)/);
    if (link) code = decodeURIComponent(link[1]);
    var q = lastWrite ? "?after=" + lastWrite : "";
    var mine = ++opened;  // a later scan wins over an earlier answer still on its way
    api("GET", "/api/v1/items/" + encodeURIComponent(code.trim()) + q).then(function (res) {
      if (mine !== opened) return;
      var status = res[0], item = res[1];
      $("steps").innerHTML = ""; $("card").innerHTML = ""; showPrint(null);
      if (status >= 300) { $("steps-title").hidden = true; refusal(status, item); return; }
      showPrint(item.code);
      var dl = document.createElement("dl"); dl.className = "card"; dl.id = "item-card";
      // Where it is, its lot and expiry: shown only when the item has them.
      var facts = ["location", "lot", "expiry"].filter(function (k) { return item[k]; });
      [[T["item.code"], item.code], [T["item.type"], item.type_label], [T["item.status"], item.status_label || item.status]]
        .concat(facts.map(function (k) { return [T["item." + k], item[k + "_label"] || item[k], k]; }))
        .concat(item.holds.map(function (h) { return [T["item.holds"], h]; }))
        .concat(item.accountability ? [[T["item.accountability"], equation(item.accountability)]] : [])
        .forEach(function (pair) {
          var dt = document.createElement("dt"), dd = document.createElement("dd");
          dt.textContent = pair[0]; dd.textContent = pair[1]; dl.appendChild(dt); dl.appendChild(dd);
          if (pair[2]) dd.id = "item-" + pair[2];
        });
      dl.dataset.status = item.status;
      $("card").appendChild(dl);
      temperatures(item.code, mine);
      $("steps-title").hidden = false;
      if (!item.next_steps.length) {
        var p = document.createElement("p"); p.className = "note"; p.textContent = t("scan.none"); $("steps").appendChild(p);
      }
      item.next_steps.forEach(function (s) { $("steps").appendChild(stepForm(item.code, s)); });
    });
  }

  var signin = CellTraceSession.signIn($("signin-form"), function (answer) {
    token = answer.access_token; who = answer.person_code + " (" + (answer.role_label || answer.role) + ")";
    sessionStorage.setItem("ct-token", token); sessionStorage.setItem("ct-who", who); show();
  });
  $("signout").addEventListener("click", function () { signOut(false); });
  $("print-form").addEventListener("submit", function (e) { e.preventDefault(); print(false); });
  $("print-run").addEventListener("click", function () { print(true); });
  $("scan-form").addEventListener("submit", function (e) {
    e.preventDefault();
    $("banner").hidden = true;
    open($("scan").value);
    $("scan").select();
  });
  show();
})();
