// Station sessions (R-ACC-3), shared by /scan, /bedside and /trace: sign-in (a badge scan, the
// device's recent people, the role chosen from the person's roles), a visible idle countdown
// (CELLTRACE_STATION_IDLE_SECONDS, on <body data-idle-seconds>) that signs the page out by
// itself, and sign-out that revokes the token on the server.
(function () {
  "use strict";
  var limit = Number(document.body.dataset.idleSeconds) || 600;
  var timer = null, deadline = 0, expire = null;

  function render() {
    var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    var el = document.getElementById("idle-countdown");
    if (el) el.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    if (left <= 0) { var done = expire; stop(); if (done) done(); }
  }

  function touch() {
    if (timer === null) return;
    deadline = Date.now() + limit * 1000; render();
  }

  function start(onExpire) {
    stop();
    expire = onExpire; deadline = Date.now() + limit * 1000;
    timer = setInterval(render, 1000); render();
  }

  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null; expire = null;
  }

  function logout(token) {
    if (!token) return;
    fetch("/api/v1/auth/logout", {method: "POST", headers: {"Authorization": "Bearer " + token}})
      .catch(function () { /* the token expires on the server anyway */ });
  }

  // The device's own clock, local time with its UTC offset, sent with every step as the
  // Device-Time header and stored beside the server's time (R-LED-2).
  function deviceTime() {
    var d = new Date(), off = -d.getTimezoneOffset(), a = Math.abs(off);
    var p = function (n) { return String(n).padStart(2, "0"); };
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + "T" +
      p(d.getHours()) + ":" + p(d.getMinutes()) + ":" + p(d.getSeconds()) +
      (off >= 0 ? "+" : "-") + p(Math.floor(a / 60)) + ":" + p(a % 60);
  }

  // A scanned label's QR text is its page link (<base>/v/CODE#signed-data): keep the code.
  function codeOf(text) {
    var value = String(text || "").trim(), link = value.match(/\/v\/([^/?#]+)/);
    return link ? decodeURIComponent(link[1]) : value;
  }

  // The people who signed in on this device lately: person codes only, never a password.
  var RECENT = "ct-recent-people", KEEP = 5;
  function recentPeople() {
    try {
      var list = JSON.parse(localStorage.getItem(RECENT) || "[]");
      return Array.isArray(list) ? list.filter(function (c) { return typeof c === "string"; }) : [];
    } catch (e) { return []; }
  }
  function keepPeople(list) {
    try {
      if (list.length) localStorage.setItem(RECENT, JSON.stringify(list.slice(0, KEEP)));
      else localStorage.removeItem(RECENT);
    } catch (e) { /* storage refused (private mode): the list is a convenience only */ }
  }

  // The sign-in form of every station page (signin.html), in one place: the person code typed
  // or scanned from a badge (Enter moves on to the password; the badge's signed QR text is sent
  // as it was scanned, and the server refuses one that does not verify), this device's recent
  // people, and
  // the role: left out, and when the server answers that the person holds several, their roles
  // offered as buttons (the server names them only once the password was right). A station's
  // token lapses when left idle (R-ACC-3). onSignedIn gets the token answer.
  function signIn(form, onSignedIn, options) {
    var station = !(options && options.station === false);
    var $ = function (id) { return document.getElementById(id); };
    var texts = JSON.parse($("signin-texts").textContent);
    var person = form.elements.username, password = form.elements.password;
    var error = $("signin-error"), choice = $("role-choice"), buttons = $("role-options");
    var language = document.documentElement.lang.indexOf("zh") === 0 ? "zh" : "en";
    var scanned = null;  // the badge's QR text behind the code shown, until the field is edited

    // A scan (a link, with the badge's signature after "#") shows the person code it names.
    function keepCode() {
      var value = person.value.trim();
      if (/[\/#]/.test(value)) { scanned = value; person.value = codeOf(value); }
    }

    function fail(text) { error.hidden = !text; error.textContent = text || ""; }

    function renderRecent() {
      var list = recentPeople(), box = $("recent-list");
      box.innerHTML = "";
      list.forEach(function (code) {
        var b = document.createElement("button");
        b.type = "button"; b.className = "small recent-person"; b.dataset.code = code; b.textContent = code;
        b.addEventListener("click", function () {
          person.value = code; scanned = null; choice.hidden = true; fail(null); password.focus();
        });
        box.appendChild(b);
      });
      $("recent-people").hidden = !list.length;
    }

    // "PER-... holds the roles operator and QA; choose one." with a big button per role.
    function offer(code, roles) {
      var labels = roles.map(function (r) { return r.label; }), last = labels.pop();
      var named = labels.length ? labels.join(texts.comma) + texts.and + last : last;
      $("role-question").textContent = texts.choose_role.replace("{person}", code).replace("{roles}", named);
      buttons.innerHTML = "";
      roles.forEach(function (r) {
        var b = document.createElement("button");
        b.type = "button"; b.className = "big role-option"; b.dataset.role = r.role; b.textContent = r.label;
        b.addEventListener("click", function () { send(r.role); });
        buttons.appendChild(b);
      });
      choice.hidden = false;
      buttons.firstChild.focus();
    }

    var pending = false;  // a second tap while the answer is on its way opens no second session
    function send(role) {
      if (pending) return;
      pending = true;
      keepCode();
      var data = new URLSearchParams({username: scanned || person.value, password: password.value});
      if (role) data.set("role", role);
      if (station) data.set("station", "true");
      fetch("/api/v1/auth/token", {method: "POST", body: data, headers: {"Accept-Language": language}})
        .then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); })
        .then(function (res) {
          var answer = res[1];
          pending = false;
          if (res[0] === 200) {
            fail(null); choice.hidden = true; $("idle-note").hidden = true; form.reset();
            scanned = null;
            keepPeople([answer.person_code].concat(recentPeople().filter(function (c) {
              return c !== answer.person_code;
            })));
            renderRecent();
            onSignedIn(answer);
          } else if (res[0] === 401 && Array.isArray(answer.roles) && answer.roles.length) {
            fail(null); offer(person.value.toUpperCase(), answer.roles);
          } else {
            choice.hidden = true; fail(answer.detail || String(res[0]));
            // a badge refused (R-ID-2) is not offered again: the person types their code
            if (scanned && res[0] === 422) {
              scanned = null; person.value = ""; password.value = ""; person.focus();
            }
          }
        }, function () { pending = false; });
    }

    form.addEventListener("submit", function (e) { e.preventDefault(); send(null); });
    // A badge scanner types the badge's QR text and Enter: show the code, go on to the password.
    person.addEventListener("keydown", function (e) {
      if (e.key !== "Enter" || e.isComposing) return;
      keepCode();
      if (!password.value) { e.preventDefault(); password.focus(); }
    });
    person.addEventListener("change", keepCode);
    // The roles offered belong to the person named when they were asked for; an edited field
    // is no longer the badge scanned.
    person.addEventListener("input", function () { choice.hidden = true; scanned = null; });
    $("forget-people").addEventListener("click", function () {
      keepPeople([]); renderRecent(); person.focus();
    });
    renderRecent();
    return {focus: function () { person.focus(); }};
  }

  ["keydown", "pointerdown", "input"].forEach(function (kind) {
    document.addEventListener(kind, touch, true);
  });
  // A desk page (the trace page, the item lists, the home page's dashboard): its sign-in form,
  // the token the pages of this tab share, the idle sign-out, a banner for refusals, and
  // downloads (links with data-download, and data-reason naming the field of a reprint's
  // reason) fetched with the token and handed to the browser as a file. `options.load(desk)`
  // fills the page once signed in, `options.clear()` empties it at sign-out and
  // `options.shown(signedIn)` (optional) adjusts the page to either. A desk is no shared
  // station: its token lasts the working day.
  function desk(options) {
    var $ = function (id) { return document.getElementById(id); };
    var LANG = document.documentElement.lang.indexOf("zh") === 0 ? "zh" : "en";
    var token = sessionStorage.getItem("ct-token"), who = sessionStorage.getItem("ct-who");
    var page = {
      headers: function () { return {"Authorization": "Bearer " + token, "Accept-Language": LANG}; },
      signedIn: function () { return !!token; },
      banner: function (text, ok) {
        var b = $("banner");
        b.hidden = !text; b.className = ok ? "banner ok" : "banner bad"; b.textContent = text || "";
      },
      refused: function (response) {
        return response.json().then(function (body) {
          if (response.status === 401) {
            signOut(false); $("signin-error").hidden = false; $("signin-error").textContent = body.detail;
            return;
          }
          page.banner(body.detail);
        });
      }
    };
    function show() {
      $("signin").hidden = !!token;
      $("station").hidden = !token;
      if (options.shown) options.shown(!!token);
      if (!token) { stop(); if (options.focus !== false) signin.focus(); return; }
      $("who").textContent = who;
      start(function () { signOut(true); });
      options.load(page);
    }
    function signOut(idle) {
      logout(token);
      sessionStorage.clear(); token = null;
      options.clear(); page.banner(null);
      $("idle-note").hidden = idle !== true;
      show();
    }
    document.addEventListener("click", function (e) {
      var link = e.target.closest ? e.target.closest("a[data-download]") : null;
      if (!link) return;
      e.preventDefault();
      var url = link.getAttribute("href");
      var reason = link.dataset.reason ? $(link.dataset.reason).value.trim() : "";
      if (reason) url += "?reason=" + encodeURIComponent(reason);
      fetch(url, {headers: page.headers()}).then(function (r) {
        if (!r.ok) return page.refused(r);
        return r.blob().then(function (blob) {
          var a = document.createElement("a");
          a.href = URL.createObjectURL(blob); a.download = link.dataset.download;
          document.body.appendChild(a); a.click(); a.remove();
          page.banner(null);
        });
      });
    });
    var signin = signIn($("signin-form"), function (answer) {
      token = answer.access_token; who = answer.person_code + " (" + (answer.role_label || answer.role) + ")";
      sessionStorage.setItem("ct-token", token); sessionStorage.setItem("ct-who", who);
      show();
    }, {station: false});
    $("signout").addEventListener("click", function () { signOut(false); });
    show();
    return page;
  }

  window.CellTraceSession = {
    start: start, stop: stop, logout: logout, deviceTime: deviceTime, signIn: signIn, codeOf: codeOf,
    desk: desk
  };
})();
