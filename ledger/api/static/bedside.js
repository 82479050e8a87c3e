// Bedside tablet: scan the vial and the wristband (a keyboard-wedge scanner types the code and
// Enter, which moves on to the next field), enter dose and route, and get a full-screen GO or
// NO-GO with every reason. On GO: record the thaw, then the administration signed by the nurse
// and the verifying pharmacist. Every refusal shows its rule and message; nothing is recorded.
(function () {
  "use strict";
  var T = JSON.parse(document.getElementById("texts").textContent);
  var t = function (k) { return T[k] || k; };
  var $ = function (id) { return document.getElementById(id); };
  // The API answers rule messages in the page's language.
  var LANG = document.documentElement.lang.indexOf("zh") === 0 ? "zh" : "en";
  var token = sessionStorage.getItem("ct-bedside-token");
  var who = sessionStorage.getItem("ct-bedside-who");
  var role = sessionStorage.getItem("ct-bedside-role");
  var checked = null;  // the request that was verified: what thaw and administration record

  function show() {
    $("signin").hidden = !!token;
    $("station").hidden = !token;
    if (token) {
      $("who").textContent = who; $("vial").focus();
      CellTraceSession.start(function () { signOut(true); });
    } else { CellTraceSession.stop(); signin.focus(); }
  }

  // Sign-out (the button, or the idle countdown reaching zero) revokes the token (R-ACC-3).
  function signOut(idle) {
    CellTraceSession.logout(token);
    sessionStorage.removeItem("ct-bedside-token"); token = null;
    $("verdict").hidden = true; $("check-form").reset(); checked = null;
    $("idle-note").hidden = idle !== true;
    show();
  }

  function api(path, body) {
    var headers = {"Accept-Language": LANG, "Content-Type": "application/json",
                   "Device-Time": CellTraceSession.deviceTime()};
    if (token) headers.Authorization = "Bearer " + token;
    return fetch(path, {method: "POST", headers: headers, body: JSON.stringify(body)})
      .then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); });
  }

  function banner(el, ok, title, lines) {
    el.hidden = false;
    el.className = "banner " + (ok ? "ok" : "bad");
    el.innerHTML = "";
    var h = document.createElement("div"); h.textContent = title; el.appendChild(h);
    lines.forEach(function (line) {
      var p = document.createElement("div"); p.className = "rule"; p.textContent = line; el.appendChild(p);
    });
    // An answer below the fields (a refused signature) is brought into view, not left unseen.
    el.scrollIntoView({block: "nearest"});
  }

  function refusal(el, status, body) {
    // An expired sign-in goes back to the sign-in form; a refused signature stays here.
    if (status === 401 && String(body.detail).indexOf("R-LED-5") < 0) { signOut(); return; }
    var lines = (body.violations || []).map(function (v) { return v.rule + ": " + v.message; });
    if (!lines.length) lines = [body.detail || String(status)];
    banner(el, false, t("bedside.refused"), lines);
  }

  // A label's QR text is its page link: keep only the code (the server checks it in full).
  function scanned(input) {
    var value = input.value.trim(), link = value.match(/\/v\/([^/?#]+)/);
    if (link) value = decodeURIComponent(link[1]);
    input.value = value;
    return value;
  }

  function summary(req) {
    var dl = $("verdict-summary"); dl.innerHTML = "";
    var route = $("route").querySelector("option[value='" + req.route + "']");
    [["bedside.s_vial", req.vial], ["bedside.s_patient", req.patient],
      ["bedside.s_dose", String(req.dose)], ["bedside.route", route ? route.textContent : req.route]]
      .forEach(function (pair) {
        var dt = document.createElement("dt"), dd = document.createElement("dd");
        dt.textContent = t(pair[0]); dd.textContent = pair[1]; dl.appendChild(dt); dl.appendChild(dd);
      });
  }

  function verdict(decision) {
    var go = decision.decision === "go", v = $("verdict");
    v.className = "verdict " + (go ? "go" : "no-go");
    v.dataset.decision = decision.decision;
    $("verdict-word").textContent = t(go ? "bedside.go" : "bedside.no_go");
    $("verdict-note").textContent = t(go ? "bedside.go_note" : "bedside.no_go_note");
    $("verdict-note").hidden = false;
    var ul = $("reasons"); ul.innerHTML = "";
    decision.reasons.forEach(function (r) {
      var li = document.createElement("li"), b = document.createElement("b");
      b.className = "rule-id"; b.textContent = r.rule; li.appendChild(b);
      li.appendChild(document.createTextNode(" " + r.message)); ul.appendChild(li);
    });
    $("go-steps").hidden = !go;
    $("thaw").hidden = false; $("thaw").disabled = false; $("thawed").hidden = true;
    $("administer-form").reset();
    $("nurse-only").hidden = !role || role === "nurse";
    $("verdict-banner").hidden = true;
    $("back").textContent = t("bedside.back");
    // The verdict opens at its top, the headline in view; the focus goes to the next action
    // without scrolling the headline away (the back button is at the bottom of a NO-GO).
    v.hidden = false;
    (go ? $("thaw") : $("back")).focus({preventScroll: true});
    v.scrollTop = 0;
  }

  // The wristband's prescription (cohort dose levels, protocol routes, in-use time) as a hint
  // beside the dose and route; the check itself still decides.
  function prescription() {
    var patient = scanned($("patient")), hint = $("prescription");
    hint.hidden = true;
    if (!patient || !token) return;
    fetch("/api/v1/patients/" + encodeURIComponent(patient) + "/prescription",
      {headers: {"Accept-Language": LANG, Authorization: "Bearer " + token}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) {
        if (!p || scanned($("patient")) !== patient) return;
        var routes = p.routes.map(function (r) { return t("route." + r); }).join(", ");
        hint.textContent = t("bedside.prescription")
          .replace("{cohort}", p.cohort).replace("{doses}", p.doses.join(" / "))
          .replace("{unit}", p.dose_unit).replace("{routes}", routes)
          .replace("{minutes}", String(p.in_use_minutes))
          + " " + doses(p);
        $("dose-unit").textContent = p.dose_unit;
        hint.hidden = false;
      });
  }
  $("patient").addEventListener("change", prescription);

  // R-CLN-7: "dose 1 of 2; last dose 3.5 h ago; next dose from 2026-03-30 09:00"
  function doses(p) {
    var text = t("bedside.doses").replace("{given}", String(p.given))
      .replace("{allowed}", String(p.administrations));
    if (p.last_dose_at) {
      var hours = (Date.now() - Date.parse(p.last_dose_at)) / 3600000;
      text += "; " + t("bedside.last_dose").replace("{hours}", hours.toFixed(1));
    }
    if (p.next_dose_from === null) return text + "; " + t("bedside.no_more_doses");
    if (p.last_dose_at) {
      text += "; " + t("bedside.next_dose").replace("{at}", p.next_dose_from.slice(0, 16).replace("T", " "));
    }
    return text;
  }

  // Enter in a field (a wedge scanner ends each scan with it) moves on instead of submitting.
  var order = ["vial", "patient", "dose", "route"];
  order.forEach(function (id, i) {
    $(id).addEventListener("keydown", function (e) {
      if (e.key !== "Enter") return;
      if ($(id).classList.contains("scan-field")) scanned($(id));
      if (id === "patient") prescription();
      if (i + 1 < order.length) { e.preventDefault(); $(order[i + 1]).focus(); }
    });
  });

  $("check-form").addEventListener("submit", function (e) {
    e.preventDefault();
    $("banner").hidden = true;
    var req = {vial: scanned($("vial")), patient: scanned($("patient")),
      dose: Number($("dose").value), route: $("route").value};
    api("/api/v1/bedside/verify", req).then(function (res) {
      if (res[0] !== 200) { refusal($("banner"), res[0], res[1]); return; }
      checked = req; summary(req); verdict(res[1]);
    });
  });

  $("thaw").addEventListener("click", function () {
    $("thaw").disabled = true;
    api("/api/v1/bedside/thaw", checked).then(function (res) {
      if (res[0] === 200) {
        $("thaw").hidden = true; $("thawed").hidden = false; $("verdict-banner").hidden = true;
        $("administer-form").elements.pharmacist.focus();
      } else { $("thaw").disabled = false; refusal($("verdict-banner"), res[0], res[1]); }
    });
  });

  var adm = $("administer-form");
  adm.elements.pharmacist.addEventListener("keydown", function (e) {
    if (e.key === "Enter") { e.preventDefault(); scanned(adm.elements.pharmacist); adm.elements.pharmacist_password.focus(); }
  });
  adm.addEventListener("submit", function (e) {
    e.preventDefault();
    var f = adm.elements, body = Object.assign({}, checked, {
      pharmacist: scanned(f.pharmacist),
      signature: {password: f.password.value, meaning: adm.dataset.nurseMeaning},
      pharmacist_signature: {password: f.pharmacist_password.value, meaning: adm.dataset.pharmacistMeaning}
    });
    api("/api/v1/bedside/administer", body).then(function (res) {
      f.password.value = ""; f.pharmacist_password.value = "";
      if (res[0] !== 200) { refusal($("verdict-banner"), res[0], res[1]); return; }
      $("go-steps").hidden = true; $("verdict-note").hidden = true;
      banner($("verdict-banner"), true, t("bedside.administered"), [
        t("bedside.number") + ": " + res[1].administration,
        t("bedside.notification") + ": " + res[1].notification_id]);
      $("verdict-banner").dataset.administration = res[1].administration;
      $("verdict-banner").dataset.notification = res[1].notification_id;
      $("back").textContent = t("bedside.next");
      $("check-form").reset(); checked = null;
    });
  });

  $("back").addEventListener("click", function () {
    $("verdict").hidden = true;
    $("vial").focus(); $("vial").select();
  });

  var signin = CellTraceSession.signIn($("signin-form"), function (answer) {
    token = answer.access_token; role = answer.role;
    who = answer.person_code + " (" + (answer.role_label || role) + ")";
    sessionStorage.setItem("ct-bedside-token", token);
    sessionStorage.setItem("ct-bedside-who", who);
    sessionStorage.setItem("ct-bedside-role", role);
    show();
  });
  $("signout").addEventListener("click", function () { signOut(false); });
  show();
})();
