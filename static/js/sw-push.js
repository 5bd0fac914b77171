/* Web Push in the service worker: show what the server sent, open it when tapped.
 *
 * static/js/sw.js loads this file with importScripts(). The payload is JSON from
 * apps/notifications/channels.push_payload: {title, body, url, tag}; `url` is a path of this
 * site (the lead or the post). */
"use strict";

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = { body: event.data ? event.data.text() : "" };
  }
  const title = data.title || "TechLead AutoPilot";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: data.body || "",
      tag: data.tag || undefined,
      renotify: Boolean(data.tag),
      icon: "/static/pwa/icon-192.png",
      badge: "/static/pwa/icon-192.png",
      data: { url: data.url || "/" },
    })
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  // Only paths of this site: a payload must not send the member elsewhere.
  const target = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin);
  if (target.origin !== self.location.origin) return;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const same = windows.find((client) => new URL(client.url).pathname === target.pathname);
      if (same) return same.focus();
      const any = windows.find((client) => "navigate" in client);
      if (any) return any.navigate(target.href).then((client) => (client || any).focus());
      return self.clients.openWindow(target.href);
    })
  );
});
