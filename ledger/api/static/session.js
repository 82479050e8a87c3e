// Station sessions (R-ACC-3), shared by /scan, /bedside and /trace: a visible idle countdown
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

  ["keydown", "pointerdown", "input"].forEach(function (kind) {
    document.addEventListener(kind, touch, true);
  });
  window.CellTraceSession = {start: start, stop: stop, logout: logout, deviceTime: deviceTime};
})();
