/* Offline diary (issue 17). Without a connection the diary form is kept in
   localStorage, each entry with its own id (client_id, a UUID made here),
   and a photo shrunk with a canvas; it is sent when the connection returns.
   The server keeps one entry per client_id, so a resend never doubles one.
   With a connection the form posts as usual (the page works without JS). */
(function () {
  "use strict";
  var KEY = "nq-farmer-diary-queue";
  var script = document.currentScript;
  var form = document.getElementById("diary-form");
  var box = document.getElementById("queue");
  if ("serviceWorker" in navigator && script) {
    navigator.serviceWorker
      .register(script.dataset.sw, { scope: script.dataset.scope })
      .catch(function () {});
  }
  if (!form || !box) return;

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); }
    catch (e) { return []; }
  }
  function save(queue) { localStorage.setItem(KEY, JSON.stringify(queue)); }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) {
      return (x + 256).toString(16).slice(1);
    }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) +
      "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function show() {
    var queue = load();
    var list = document.getElementById("queue-list");
    box.hidden = queue.length === 0;
    document.getElementById("queue-count").textContent =
      form.dataset.waiting.replace("%(n)s", queue.length);
    list.textContent = "";
    queue.forEach(function (item) {
      var li = document.createElement("li");
      var kind = form.querySelector('input[name="kind"][value="' + item.fields.kind + '"]');
      var label = kind && kind.parentNode ? kind.parentNode.textContent.trim() : item.fields.kind;
      li.textContent = item.fields.occurred_at.replace("T", " ") + " · " + label +
        (item.fields.note ? " — " + item.fields.note : "") +
        (item.error ? " · " + form.dataset.refused + " " + item.error : "");
      list.appendChild(li);
    });
  }

  function shrink(file) {
    // Longest side 1280 px, JPEG 0.8: a phone photo of 4 MB becomes ~150 KB.
    return new Promise(function (resolve) {
      if (!file) return resolve(null);
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () {
        var scale = Math.min(1, 1280 / Math.max(img.width, img.height));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(img.width * scale);
        canvas.height = Math.round(img.height * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        resolve(canvas.toDataURL("image/jpeg", 0.8));
      };
      img.onerror = function () { URL.revokeObjectURL(url); resolve(null); };
      img.src = url;
    });
  }

  function keep() {
    var data = new FormData(form);
    var fields = {};
    data.forEach(function (value, name) {
      if (name !== "photo" && name !== "csrfmiddlewaretoken") fields[name] = value;
    });
    fields.client_id = uuid();
    var input = form.querySelector('input[name="photo"]');
    return shrink(input && input.files[0]).then(function (photo) {
      var queue = load();
      queue.push({ fields: fields, photo: photo });
      save(queue);
      form.reset();
      var when = form.querySelector('input[name="occurred_at"]');
      if (when) when.value = fields.occurred_at;
      show();
      document.getElementById("queue-note").textContent = form.dataset.queued;
    });
  }

  function toBlob(dataUrl) {
    var parts = dataUrl.split(","), bytes = atob(parts[1]);
    var buffer = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) buffer[i] = bytes.charCodeAt(i);
    return new Blob([buffer], { type: "image/jpeg" });
  }

  var sending = false;
  function send() {
    var queue = load();
    if (sending || !queue.length || !navigator.onLine) return Promise.resolve();
    sending = true;
    var token = form.querySelector('input[name="csrfmiddlewaretoken"]').value;
    var item = queue.find(function (q) { return !q.error; });
    if (!item) { sending = false; return Promise.resolve(); }
    var answered = false;
    var body = new FormData();
    Object.keys(item.fields).forEach(function (k) { body.append(k, item.fields[k]); });
    if (item.photo) body.append("photo", toBlob(item.photo), "nhat-ky.jpg");
    return fetch(form.action || location.href, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": token }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") !== 0) {
        // Signed out (a sign-in page came back) or a proxy error: keep all.
        document.getElementById("queue-note").textContent = form.dataset.signin;
        throw new Error("not sent");
      }
      return response.json().then(function (answer) {
        var rest = load().filter(function (q) {
          return q.fields.client_id !== item.fields.client_id;
        });
        if (!answer.ok) { item.error = answer.errors.join(" "); rest.push(item); }
        save(rest);
        answered = true;
      });
    }).catch(function () { /* still offline: try again later */ })
      .then(function () {
        sending = false;
        show();
        // The next one only after an answer (no loop while signed out).
        if (answered && load().some(function (q) { return !q.error; })) {
          return send();
        }
      });
  }

  form.addEventListener("submit", function (event) {
    if (navigator.onLine) return;
    event.preventDefault();
    keep();
  });
  document.getElementById("queue-send").addEventListener("click", send);
  window.addEventListener("online", send);
  setInterval(send, 15000);
  show();
  send();
})();
