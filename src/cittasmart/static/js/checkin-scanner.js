// Check-in: read the QR code of a registration with the camera (progressive enhancement).
// The "scan" button stays hidden unless the browser has BarcodeDetector with QR codes and a camera; without it the
// page works as it is: the code is typed. The value read (the check-in address with ?code=, or the bare code) goes
// into the field and the form is sent; the server reads the code out of it.
(function () {
  "use strict";

  var button = document.getElementById("checkin-scan");
  var form = document.getElementById("checkin-form");
  var field = document.getElementById("id_code");
  var scanner = document.getElementById("checkin-scanner");
  var video = document.getElementById("checkin-video");
  var stopButton = document.getElementById("checkin-scan-stop");
  var status = document.getElementById("checkin-scan-status");
  if (!button || !form || !field || !scanner || !video || !stopButton || !status) {
    return;
  }
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return;
  }

  var INTERVAL_MS = 250;
  var detector = null;
  var stream = null;
  var timer = null;
  var busy = false;

  function say(message) {
    status.textContent = message || "";
  }

  function stop() {
    if (timer !== null) {
      window.clearInterval(timer);
      timer = null;
    }
    if (stream) {
      stream.getTracks().forEach(function (track) {
        track.stop();
      });
      stream = null;
    }
    video.srcObject = null;
    scanner.hidden = true;
    button.hidden = false;
  }

  function found(value) {
    stop();
    say(button.dataset.msgFound);
    field.value = value;
    form.submit();
  }

  function scan() {
    if (busy || !stream || video.readyState < 2) {
      return;
    }
    busy = true;
    detector
      .detect(video)
      .then(function (codes) {
        var first = codes.find(function (code) {
          return code.rawValue;
        });
        if (first) {
          found(first.rawValue);
        }
      })
      .catch(function () {
        // A frame that cannot be read: try the next one.
      })
      .finally(function () {
        busy = false;
      });
  }

  function start() {
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        scanner.hidden = false;
        button.hidden = true;
        say(button.dataset.msgLooking);
        stopButton.focus();
        return video.play();
      })
      .then(function () {
        timer = window.setInterval(scan, INTERVAL_MS);
      })
      .catch(function () {
        stop();
        say(button.dataset.msgFailed);
        field.focus();
      });
  }

  function hasCamera() {
    if (!navigator.mediaDevices.enumerateDevices) {
      return Promise.resolve(true);
    }
    return navigator.mediaDevices.enumerateDevices().then(function (devices) {
      return devices.some(function (device) {
        return device.kind === "videoinput";
      });
    });
  }

  var formats = window.BarcodeDetector.getSupportedFormats
    ? window.BarcodeDetector.getSupportedFormats()
    : Promise.resolve(["qr_code"]);
  formats
    .then(function (supported) {
      if (supported.indexOf("qr_code") === -1) {
        return;
      }
      return hasCamera().then(function (camera) {
        if (!camera) {
          return;
        }
        detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        button.hidden = false;
        button.addEventListener("click", start);
        stopButton.addEventListener("click", function () {
          stop();
          say("");
          button.focus();
        });
        window.addEventListener("pagehide", stop);
      });
    })
    .catch(function () {
      // No detector after all: the typed code is enough.
    });
})();
