/* TechLead AutoPilot service worker: the installable app, an offline page, the lead inbox as
 * last synced.
 *
 * Served at /sw.js by apps/core/views.service_worker (so its scope is the whole site), which
 * puts `self.SW_CONFIG` in front of this file: the hashed URLs of the app shell, the offline
 * page, the sign-in and sign-out paths and the inbox's path pattern. A new deployment changes
 * those URLs, so the browser sees a changed worker and installs it.
 *
 * Strategies:
 *   hashed static files   cache first (their name changes when their content does)
 *   other static files    network first, the cached shell when offline (development)
 *   page navigations      network first; offline, the offline page
 *   the lead inbox        network first and stored on success; offline, the stored copy
 *                         with its "last synced at" note shown
 *   anything else         straight to the network (htmx fragments, POSTs, the API)
 *
 * Nobody else's inbox survives a sign-out: the page cache is dropped when a sign-in or
 * sign-out request goes by, when the page says so (static/js/app.js), and when the inbox
 * answers with a redirect to the sign-in page.
 */
"use strict";

const CONFIG = self.SW_CONFIG;
const SHELL_CACHE = "shell-" + CONFIG.version;
const STATIC_CACHE = "static-" + CONFIG.version;
const PAGES_CACHE = "pages";
const HASHED_STATIC = /\.[0-9a-f]{12}\.[A-Za-z0-9]+$/;
const INBOX = new RegExp(CONFIG.inboxPattern);

// Web Push handlers (owned by the notifications work) live in their own file.
importScripts(CONFIG.pushScript);

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.addAll(CONFIG.shell))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  const keep = new Set([SHELL_CACHE, STATIC_CACHE, PAGES_CACHE]);
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => !keep.has(n)).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "forget-pages") {
    event.waitUntil(caches.delete(PAGES_CACHE));
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;

  if (request.method !== "GET") {
    if (url.pathname === CONFIG.logoutUrl || url.pathname === CONFIG.loginUrl) {
      // Forget first, then let the request through: the next person on this device must
      // not find the last one's inbox, even offline.
      event.respondWith(caches.delete(PAGES_CACHE).then(() => fetch(request)));
    }
    return;
  }

  if (url.pathname.startsWith(CONFIG.staticUrl)) {
    event.respondWith(HASHED_STATIC.test(url.pathname) ? cacheFirst(request) : networkFirst(request));
    return;
  }

  if (request.mode === "navigate") {
    event.respondWith(navigation(request, INBOX.test(url.pathname)));
  }
});

async function cacheFirst(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(STATIC_CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

async function networkFirst(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const cached = await caches.match(request, { ignoreSearch: true });
    if (cached) return cached;
    throw error;
  }
}

async function navigation(request, isInbox) {
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    return (isInbox && (await lastSyncedInbox(request))) || offlinePage();
  }
  if (isInbox) {
    const pages = await caches.open(PAGES_CACHE);
    if (response.redirected) {
      // Signed out elsewhere (the inbox sent us to the sign-in page): forget every page.
      await caches.delete(PAGES_CACHE);
    } else if (response.ok) {
      await pages.put(request, response.clone());
    } else {
      await pages.delete(request);
    }
  }
  return response;
}

async function lastSyncedInbox(request) {
  const pages = await caches.open(PAGES_CACHE);
  const cached = (await pages.match(request)) || (await pages.match(request, { ignoreSearch: true }));
  if (!cached) return null;
  // The page was rendered with a hidden "last synced at <time>" note; show it.
  const html = (await cached.text()).replace("data-offline-note hidden", "data-offline-note");
  const headers = new Headers(cached.headers);
  headers.delete("Content-Length");
  return new Response(html, { status: 200, statusText: "OK", headers: headers });
}

async function offlinePage() {
  return (await caches.match(CONFIG.offlineUrl)) || Response.error();
}
