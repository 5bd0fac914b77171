/* "Turn on push on this device" on the notification settings page.
 *
 * Asks the browser for permission, subscribes through the service worker with our VAPID
 * public key, and POSTs the subscription (with the CSRF token) to the server, which stores it
 * for this member and device. The button stays hidden where push cannot work. */
(function () {
  "use strict";

  var button = document.querySelector("[data-push-subscribe]");
  if (!button) return;
  var status = document.querySelector("[data-push-status]");

  // The words come translated from the page (data-msg-*), English if missing.
  function msg(name, fallback) {
    return button.dataset["msg" + name] || fallback;
  }

  function say(text) {
    if (status) status.textContent = text;
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    say(msg("Unsupported", "This browser cannot receive push notifications."));
    return;
  }
  button.hidden = false;

  button.addEventListener("click", function () {
    button.disabled = true;
    say("…");
    Notification.requestPermission()
      .then(function (permission) {
        if (permission !== "granted") throw new Error(msg("Blocked", "Notifications are blocked for this site."));
        return navigator.serviceWorker.getRegistration().then(function (registration) {
          if (registration) return navigator.serviceWorker.ready;
          var meta = document.querySelector('meta[name="service-worker"]');
          if (!meta) throw new Error(msg("Unsupported", "This browser cannot receive push notifications."));
          return navigator.serviceWorker.register(meta.content, { scope: "/" }).then(function () {
            return navigator.serviceWorker.ready;
          });
        });
      })
      .then(function (registration) {
        return registration.pushManager.getSubscription().then(function (existing) {
          return existing || registration.pushManager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: keyBytes(button.dataset.vapidKey),
          });
        });
      })
      .then(function (subscription) {
        return fetch(button.dataset.url, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
          body: JSON.stringify(subscription.toJSON()),
        });
      })
      .then(function (response) {
        if (!response.ok) throw new Error(msg("Refused", "The server did not accept this device.") + " (" + response.status + ")");
        say(msg("On", "Push is on for this device."));
        window.location.reload();
      })
      .catch(function (error) {
        button.disabled = false;
        say(error.message || String(error));
      });
  });
})();
