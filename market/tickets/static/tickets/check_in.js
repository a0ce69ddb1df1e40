// Check-in: where the browser has BarcodeDetector, read the QR with the
// camera, put it in the code field and send the form. Without it (or without
// JavaScript) staff type or paste the code: the form works the same.
(function () {
  "use strict";
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  var section = document.getElementById("scanner");
  var start = document.getElementById("scan-start");
  var video = document.getElementById("camera");
  var form = document.getElementById("checkin-form");
  var field = document.getElementById("code");
  section.hidden = false;
  start.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" } })
      .then(function (stream) {
        video.srcObject = stream;
        video.play();
        var look = function () {
          detector.detect(video).then(function (codes) {
            if (codes.length) {
              stream.getTracks().forEach(function (t) { t.stop(); });
              field.value = codes[0].rawValue;
              form.submit();
            } else {
              window.requestAnimationFrame(look);
            }
          }, function () { window.requestAnimationFrame(look); });
        };
        look();
      }, function () {
        start.textContent = start.dataset.denied || start.textContent;
        field.focus();
      });
  });
})();
