// The status page's only script: fetches the server-rendered pools fragment again and swaps it in. Everything in
// it was escaped by the server, and the page's Content-Security-Policy allows no inline script besides.
"use strict";
(function () {
  const pools = document.getElementById("pools");
  const live = document.getElementById("live");
  const fast = 500;   // ms between fetches while the page is visible: a change shows within a second
  const slow = 5000;  // while it is hidden, or after a failure
  let timer = null;
  let fetching = false;

  function show(state, text) {
    live.dataset.state = state;
    live.textContent = text;
  }

  // one timer at a time, whoever schedules
  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(refresh, ms);
  }

  async function refresh() {
    if (fetching) {
      return;
    }
    fetching = true;
    let wait = document.hidden ? slow : fast;
    try {
      const response = await fetch("status/pools", { cache: "no-store", credentials: "same-origin" });
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      pools.innerHTML = await response.text();
      show("live", "live");
    } catch (e) {
      show("down", "not updating (" + e.message + "), retrying");
      wait = slow;
    } finally {
      fetching = false;
    }
    schedule(wait);
  }

  show("live", "live");
  schedule(fast);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) {
      schedule(0);
    }
  });
})();
