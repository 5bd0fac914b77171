/* TechLead AutoPilot — the little behaviour the pages need, without inline script.
 *
 * The Content Security Policy forbids inline <script> and on*="" handlers, so templates ask
 * for behaviour with data attributes and this file supplies it. Listeners sit on the
 * document, so content htmx swaps in later works without re-binding.
 *
 *   <select data-autosubmit>              submit the select's form when it changes
 *   <select data-navigate-on-change>      go to the selected option's value (a URL)
 *   <form data-confirm="Question?">       ask before submitting; "Cancel" stops it
 *   <input data-select-on-focus>          select the whole value on focus (copy a secret)
 *   <form data-logout>                    sign-out form: the service worker forgets pages
 *   <input data-browser-timezone>         filled with the browser's IANA time zone (sign-up)
 */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    if (target.matches("[data-navigate-on-change]")) {
      if (target.value) window.location.assign(target.value);
      return;
    }
    if (target.matches("[data-autosubmit]") && target.form) {
      // requestSubmit fires "submit", so htmx (hx-post on the form) handles it when present.
      if (typeof target.form.requestSubmit === "function") target.form.requestSubmit();
      else target.form.submit();
    }
  });

  // Capture phase: runs before htmx's own submit listener on the form, so a "Cancel" stops
  // both the plain and the htmx submission.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement)) return;
      if (form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
        event.stopPropagation();
        return;
      }
      if (form.hasAttribute("data-logout")) forgetCachedPages();
    },
    true
  );

  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (target instanceof HTMLInputElement && target.hasAttribute("data-select-on-focus")) {
      target.select();
    }
  });

  // The browser's time zone into sign-up, so posting times start in the consultant's zone.
  function fillBrowserTimezone() {
    var zone;
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (error) {
      return;
    }
    if (!zone) return;
    document.querySelectorAll("input[data-browser-timezone]").forEach(function (input) {
      if (!input.value) input.value = zone;
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fillBrowserTimezone);
  } else {
    fillBrowserTimezone();
  }

  // --- Service worker (the installable app, the offline page, the inbox as last synced) ---

  function forgetCachedPages() {
    // The service worker also drops its page cache when it sees the sign-out request go by;
    // this message covers a worker that is not controlling this page.
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.getRegistration().then(function (registration) {
      var worker = registration && (registration.active || registration.waiting);
      if (worker) worker.postMessage({ type: "forget-pages" });
    });
  }

  // "Add another case study": a new blank form from the formset's empty form, numbered after
  // the last one (Django's management form counts them). Without JavaScript the page always
  // shows one blank form, so saving adds one at a time.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-add-form]");
    if (!button) return;
    var prefix = button.getAttribute("data-add-form");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(button.getAttribute("data-template"));
    var target = document.getElementById(button.getAttribute("data-target"));
    if (!total || !template || !target) return;
    var index = Number(total.value);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    target.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var first = target.lastElementChild && target.lastElementChild.querySelector("input, textarea");
    if (first) first.focus();
  });

  // A gap listed by the checker ("[your example: …]"): clicking it selects that text in the
  // post, so typing replaces it with the consultant's own example.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-select-gap]");
    var editor = document.getElementById("id_text");
    if (!button || !editor) return;
    var gap = button.getAttribute("data-select-gap");
    var start = editor.value.indexOf(gap);
    if (start < 0) return;
    editor.focus();
    editor.setSelectionRange(start, start + gap.length);
  });

  if ("serviceWorker" in navigator && window.isSecureContext) {
    var meta = document.querySelector('meta[name="service-worker"]');
    if (meta) {
      window.addEventListener("load", function () {
        navigator.serviceWorker.register(meta.content, { scope: "/" }).catch(function () {
          // Without a worker the site still works online; nothing to tell the user.
        });
      });
    }
  }
})();
