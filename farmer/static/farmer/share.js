/* Labels page: where the phone can share files (Web Share API level 2), a
   "Gửi ảnh QR" button next to each "save QR image" link sends the PNG
   straight to Zalo or another app. Without it the link saves the image. */
(function () {
  "use strict";
  if (!navigator.canShare) return;
  document.querySelectorAll("a[data-share]").forEach(function (link) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = link.dataset.share;
    button.addEventListener("click", function () {
      fetch(link.href, { credentials: "same-origin" })
        .then(function (response) { return response.blob(); })
        .then(function (blob) {
          var file = new File([blob], link.getAttribute("download"), { type: "image/png" });
          if (navigator.canShare({ files: [file] })) {
            return navigator.share({ files: [file], title: link.textContent.trim() });
          }
        })
        .catch(function () { /* cancelled, or offline: the link still works */ });
    });
    link.parentNode.appendChild(document.createTextNode(" "));
    link.parentNode.appendChild(button);
  });
})();
