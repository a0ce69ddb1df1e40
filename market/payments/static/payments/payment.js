/* Payment block: card form (server-confirmed flow) and waiting for the bank.
 * No framework. Card numbers go from the gateway's own script to the gateway;
 * this file only ever sends our server the saved card's `pm_…` id. */
(function () {
  "use strict";
  var section = document.getElementById("thanh-toan");
  if (!section) return;
  var root = document.getElementById("card-pay");
  var message = section.querySelector("[data-message]");

  function say(text, isError) {
    if (!message) return;
    message.textContent = text || "";
    message.classList.toggle("msg-error", !!isError);
  }

  // Every 2 s while a card payment settles; every 5 s, for up to
  // half an hour, while a bank transfer may still be on its way.
  function poll() {
    var tries = 0;
    var every = root ? 2000 : 5000;
    var limit = root ? 90 : 360;
    var timer = setInterval(function () {
      tries += 1;
      fetch(section.dataset.statusUrl, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (body) {
          if (body.paid) {
            clearInterval(timer);
            say(section.dataset.sayPaid);
            window.location.reload();
          } else if (tries > limit) {
            clearInterval(timer);
            say(section.dataset.saySlow, true);
          }
        })
        .catch(function () { /* keep waiting: the link may be slow */ });
    }, every);
  }

  // Copy buttons beside the transfer details. Without JavaScript the values
  // stay plain text to select; the amount is copied as bare digits.
  var transfer = section.querySelector(".transfer[data-copy-label]");
  if (transfer && navigator.clipboard) {
    transfer.querySelectorAll("[data-copy]").forEach(function (value) {
      var term = value.closest("dd").previousElementSibling;
      var button = document.createElement("button");
      var word = document.createElement("span");
      var what = document.createElement("span");
      button.type = "button";
      button.className = "secondary copy";
      word.textContent = transfer.dataset.copyLabel;
      what.className = "visually-hidden";
      what.textContent = " " + term.textContent.toLowerCase();
      button.appendChild(word);
      button.appendChild(what);
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(value.dataset.copy).then(function () {
          word.textContent = transfer.dataset.copied;
          setTimeout(function () { word.textContent = transfer.dataset.copyLabel; }, 2000);
        });
      });
      value.insertAdjacentElement("afterend", button);
    });
  }

  if (section.hasAttribute("data-poll")) poll();
  if (!root) return;
  if (typeof window.Stripe === "undefined") {
    // JavaScript runs, but the gateway's card script did not load.
    root.querySelector("[data-nojs]").textContent = root.dataset.sayNoGateway;
    return;
  }

  var form = root.querySelector("form");
  var button = form.querySelector("button");
  var stripe = window.Stripe(root.dataset.key);
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  // Some gateways (localstripe) render bare inputs after an English
  // "localstripe:" caption: drop the caption, give each input a visible label.
  var element = root.querySelector("#card-element");
  Array.prototype.slice.call(element.childNodes).forEach(function (node) {
    if (node.nodeName !== "INPUT" && node.nodeName !== "IFRAME" && node.nodeName !== "DIV") {
      element.removeChild(node);
    }
  });
  ["number", "exp_month", "exp_year", "cvc", "postal_code"].forEach(function (name) {
    var input = element.querySelector('input[placeholder="' + name + '"]');
    var key = "label" + name.replace(/(^|_)(\w)/g, function (m, s, c) { return c.toUpperCase(); });
    if (!input || !root.dataset[key]) return;
    var label = document.createElement("label");
    label.className = "card-field card-" + name.replace("_", "-");
    var caption = document.createElement("span");
    caption.textContent = root.dataset[key];
    input.parentNode.insertBefore(label, input);
    label.appendChild(caption);
    label.appendChild(input);
    input.removeAttribute("placeholder");
    input.setAttribute("inputmode", "numeric");
    input.setAttribute("autocomplete", "off");
  });
  form.hidden = false;
  root.querySelector("[data-nojs]").hidden = true;

  function post(url, data) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: new URLSearchParams(data || {}),
    }).then(function (r) { return r.json().catch(function () { return {}; }); });
  }

  function fail(text) { throw { shopperMessage: text }; }

  async function pay() {
    var setup = await post(root.dataset.setupUrl);
    if (!setup.client_secret) fail(setup.message || root.dataset.sayRetry);
    var saved = await stripe.confirmCardSetup(setup.client_secret, { payment_method: { card: card } });
    if (saved.error) fail(root.dataset.sayCardError);
    var answer = await post(root.dataset.payUrl, { payment_method: saved.setupIntent.payment_method });
    if (answer.status === "requires_action") {
      var auth = await stripe.confirmCardPayment(answer.client_secret);
      if (auth.error || (auth.paymentIntent && auth.paymentIntent.status === "requires_payment_method")) {
        fail(root.dataset.sayAuthFailed);
      }
    } else if (answer.status !== "processing" && answer.status !== "succeeded") {
      fail(answer.message || root.dataset.sayRetry);
    }
    say(root.dataset.sayWaiting);
    poll();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    say(root.dataset.sayWorking);
    pay().catch(function (err) {
      say((err && err.shopperMessage) || root.dataset.sayRetry, true);
      button.disabled = false;
    });
  });
})();
