/* Offline diary (issue 17). Without a connection the diary form is kept in
   IndexedDB, each entry with its own id (client_id, a UUID made here), and
   a photo shrunk with a canvas, kept as a Blob; it is sent when the
   connection returns. The server keeps one entry per client_id, so a resend
   never doubles one. With a connection the form posts as usual (the page
   works without JS). Earlier versions kept the queue in localStorage (about
   5 MB, some twenty photos): what waits there is moved across on opening. */
(function () {
  "use strict";
  var OLD_KEY = "nq-farmer-diary-queue";
  var DB = "nq-farmer", STORE = "diary";
  var script = document.currentScript;
  var form = document.getElementById("diary-form");
  var box = document.getElementById("queue");
  if ("serviceWorker" in navigator && script) {
    navigator.serviceWorker
      .register(script.dataset.sw, { scope: script.dataset.scope })
      .catch(function () {});
  }
  if (!form || !box || !window.indexedDB) return;

  var opened = null;
  function db() {
    if (!opened) {
      opened = new Promise(function (resolve, reject) {
        var request = indexedDB.open(DB, 1);
        request.onupgradeneeded = function () {
          // `seq` keeps the order the entries were written in.
          request.result.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return opened;
  }
  // One transaction; resolves when it is written to disk, rejects if not
  // (the phone's storage full, say).
  function run(mode, work) {
    return db().then(function (database) {
      return new Promise(function (resolve, reject) {
        var tx = database.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(result && result.result); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }
  function load() {
    return run("readonly", function (store) { return store.getAll(); })
      .then(function (items) { return items || []; }, function () { return []; });
  }
  function add(item) { return run("readwrite", function (store) { return store.add(item); }); }
  function put(item) { return run("readwrite", function (store) { return store.put(item); }); }
  function remove(seq) { return run("readwrite", function (store) { return store.delete(seq); }); }

  function fromLocalStorage() {
    var old;
    try { old = JSON.parse(localStorage.getItem(OLD_KEY) || "[]"); }
    catch (e) { return Promise.resolve(); }
    if (!old.length) return Promise.resolve();
    return run("readwrite", function (store) {
      old.forEach(function (item) {
        var moved = { fields: item.fields, photo: item.photo ? toBlob(item.photo) : null };
        if (item.error) moved.error = item.error;
        store.add(moved);
      });
    }).then(function () { localStorage.removeItem(OLD_KEY); }, function () {});
  }
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
    return load().then(draw);
  }
  function draw(queue) {
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
        canvas.toBlob(resolve, "image/jpeg", 0.8);
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
    var note = document.getElementById("queue-note");
    return shrink(input && input.files[0]).then(function (photo) {
      return add({ fields: fields, photo: photo });
    }).then(function () {
      // Only once it is written: on a failure the form keeps what was typed.
      form.reset();
      var when = form.querySelector('input[name="occurred_at"]');
      if (when) when.value = fields.occurred_at;
      note.textContent = form.dataset.queued;
      // Ask the browser not to clear this site's storage when space runs low.
      if (navigator.storage && navigator.storage.persist) navigator.storage.persist();
      return show();
    }, function () {
      box.hidden = false;
      note.textContent = form.dataset.full;
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
    if (sending || !navigator.onLine) return Promise.resolve();
    sending = true;
    return load().then(sendFirst).then(function (answered) {
      sending = false;
      return load().then(function (queue) {
        draw(queue);
        // The next one only after an answer (no loop while signed out).
        if (answered && queue.some(function (q) { return !q.error; })) return send();
      });
    }, function () { sending = false; });
  }
  function sendFirst(queue) {
    var item = queue.find(function (q) { return !q.error; });
    if (!item) return Promise.resolve(false);
    var token = form.querySelector('input[name="csrfmiddlewaretoken"]').value;
    var body = new FormData();
    Object.keys(item.fields).forEach(function (k) { body.append(k, item.fields[k]); });
    if (item.photo) body.append("photo", item.photo, "nhat-ky.jpg");
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
        if (answer.ok) return remove(item.seq);
        item.error = answer.errors.join(" ");
        return put(item);
      }).then(function () { return true; });
    }).catch(function () { return false; /* still offline: try again later */ });
  }

  form.addEventListener("submit", function (event) {
    if (navigator.onLine) return;
    event.preventDefault();
    keep();
  });
  document.getElementById("queue-send").addEventListener("click", send);
  window.addEventListener("online", send);
  setInterval(send, 15000);
  fromLocalStorage().then(show).then(send);
})();
