/* Check-in (schedule/checkin.html): scan the QR code of a resident's reference with the
   phone's or tablet's camera, where the browser has the BarcodeDetector API. Progressive
   enhancement only: without it (or without a camera, or when refused) the box stays hidden
   and staff type the code or use a handheld scanner, which types it and presses Enter.
   The found code goes into the same input and the same GET form. */
(function () {
  "use strict";
  var box = document.getElementById("camera-scan");
  if (!box || !("BarcodeDetector" in window) || !navigator.mediaDevices ||
      !navigator.mediaDevices.getUserMedia) { return; }
  var input = document.getElementById("ref");
  var start = document.getElementById("camera-start");
  var video = document.getElementById("camera-video");
  var status = document.getElementById("camera-status");
  var startLabel = start.textContent;
  var detector = null;
  var stream = null;
  var timer = null;

  function stop() {
    window.clearTimeout(timer);
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    stream = null;
    video.srcObject = null;
    video.hidden = true;
    start.textContent = startLabel;
  }

  function tick() {
    detector.detect(video).then(function (codes) {
      var code = codes.length ? String(codes[0].rawValue || "") : "";
      if (code) {
        stop();
        input.value = code.slice(0, Number(input.getAttribute("maxlength")) || 40);
        status.textContent = box.getAttribute("data-found");
        input.form.submit();
        return;
      }
      timer = window.setTimeout(tick, 250);
    }).catch(function () {
      timer = window.setTimeout(tick, 500);  /* the video is not ready yet */
    });
  }

  window.BarcodeDetector.getSupportedFormats().then(function (formats) {
    if (formats.indexOf("qr_code") === -1) { return; }
    detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    box.hidden = false;
  }).catch(function () { /* no detector: the typed path stays */ });

  start.addEventListener("click", function () {
    if (stream) { stop(); status.textContent = ""; input.focus(); return; }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        video.play();
        start.textContent = box.getAttribute("data-stop");
        status.textContent = box.getAttribute("data-looking");
        tick();
      })
      .catch(function () {
        status.textContent = box.getAttribute("data-refused");
        input.focus();
      });
  });
  window.addEventListener("pagehide", stop);
}());
