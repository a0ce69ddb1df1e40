/* Checkout: choosing the province fills the ward list and the shipping fees
 * in place. Without JavaScript the "Hiện phường / xã" button does the same
 * with a page reload; this file asks the server for that very page. */
(function () {
  "use strict";
  var form = document.querySelector("form.checkout-form");
  if (!form || !window.fetch || !window.DOMParser || !window.FormData) return;
  var province = form.querySelector("[name=province_code]");
  var step = form.querySelector("[data-province-step]");
  if (!province || !step) return;
  step.hidden = true;
  var parts = ["#ward-field", ".order-summary", "#place-block"];
  var asked = 0;

  province.addEventListener("change", function () {
    var data = new FormData(form);
    data.set("action", "quote");
    data.delete("ward_code");
    var mine = ++asked;
    // form.action would be the button named "action": read the attribute.
    fetch(form.getAttribute("action"), { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw r; return r.text(); })
      .then(function (html) {
        if (mine !== asked) return; // a later choice is on its way
        var fresh = new DOMParser().parseFromString(html, "text/html");
        parts.forEach(function (selector) {
          var now = document.querySelector(selector);
          var next = fresh.querySelector(selector);
          if (now && next) now.innerHTML = next.innerHTML;
        });
        var ward = form.querySelector("[name=ward_code]");
        if (ward) ward.removeAttribute("autofocus");
      })
      .catch(function () { step.hidden = false; });
  });
})();
