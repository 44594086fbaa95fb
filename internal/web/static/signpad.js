// The signature pad of a simple signature: draw with a finger, a pen or a
// mouse (pointer events), "Clear" to start again. Each stroke writes the
// canvas as a PNG data URL into the hidden "drawn" field the form posts;
// the server decodes it. Without this script the pad stays hidden and the
// image upload beside it does the same job.
(function () {
  "use strict";
  var box = document.querySelector("[data-signpad]");
  if (!box) return;
  var canvas = box.querySelector("canvas");
  var out = document.getElementById("signpad-data");
  var clear = document.getElementById("signpad-clear");
  if (!canvas || !canvas.getContext || !out || !window.PointerEvent) return;
  box.hidden = false;
  var ctx = canvas.getContext("2d");
  var drawing = false, last = null, ink = false;

  function pen() {
    var dpr = window.devicePixelRatio || 1;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = ctx.fillStyle = "#1b2f74";
    ctx.lineWidth = 2.5 * dpr;
  }
  function restore(url) {
    var img = new Image();
    img.onload = function () { ctx.drawImage(img, 0, 0, canvas.width, canvas.height); ink = true; };
    img.src = url;
  }
  // The bitmap follows the element's size at the screen's pixel density;
  // what is drawn survives a resize (a phone turned sideways).
  function fit() {
    var r = canvas.getBoundingClientRect(), dpr = window.devicePixelRatio || 1;
    var w = Math.max(1, Math.round(r.width * dpr)), h = Math.max(1, Math.round(r.height * dpr));
    if (canvas.width === w && canvas.height === h) return;
    var keep = ink ? canvas.toDataURL("image/png") : out.value;
    canvas.width = w;
    canvas.height = h;
    pen();
    if (keep) restore(keep);
  }
  function at(e) {
    var r = canvas.getBoundingClientRect();
    return { x: (e.clientX - r.left) * canvas.width / r.width, y: (e.clientY - r.top) * canvas.height / r.height };
  }
  function save() { out.value = ink ? canvas.toDataURL("image/png") : ""; }

  canvas.addEventListener("pointerdown", function (e) {
    if (e.button !== undefined && e.button > 0) return;
    e.preventDefault();
    if (canvas.setPointerCapture) canvas.setPointerCapture(e.pointerId);
    drawing = true;
    last = at(e);
    ctx.beginPath();
    ctx.arc(last.x, last.y, ctx.lineWidth / 2, 0, 2 * Math.PI);
    ctx.fill();
    ink = true;
  });
  canvas.addEventListener("pointermove", function (e) {
    if (!drawing) return;
    e.preventDefault();
    var evs = e.getCoalescedEvents ? e.getCoalescedEvents() : [];
    if (!evs.length) evs = [e];
    ctx.beginPath();
    ctx.moveTo(last.x, last.y);
    for (var i = 0; i < evs.length; i++) {
      last = at(evs[i]);
      ctx.lineTo(last.x, last.y);
    }
    ctx.stroke();
  });
  function end() {
    if (!drawing) return;
    drawing = false;
    save();
  }
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  canvas.addEventListener("lostpointercapture", end);
  clear.addEventListener("click", function () {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ink = false;
    save();
  });
  window.addEventListener("resize", fit);
  fit();
})();
