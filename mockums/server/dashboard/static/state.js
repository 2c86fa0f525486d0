// Time and state: the sandbox clock (advance, freeze, set), the seed, reset, and the health counts.

import { api, beijing, busy, confirming, facts, fill, poller, say } from "./lib.js";

const POLL_MS = 3000;

export function stateView(ctx) {
  const now = document.getElementById("state-now");
  const note = document.getElementById("state-clock-note");
  const freeze = document.getElementById("freeze");
  const seedNow = document.getElementById("seed-now");
  const health = document.getElementById("health");

  function showClock() {
    const clock = ctx.clock;
    if (!clock) return;
    now.textContent = beijing(ctx.sandboxNow());
    const ahead = Math.round(clock.now - clock.fetchedAt);
    const offset = Math.abs(ahead) < 2 ? "with real time" : `${Math.abs(ahead)} s ${ahead > 0 ? "ahead of" : "behind"} real time`;
    note.textContent = clock.frozen ? `Frozen (sandbox time stands still; ${offset}).` : `Running, ${offset}.`;
    freeze.textContent = clock.frozen ? "Unfreeze" : "Freeze";
    freeze.setAttribute("aria-pressed", clock.frozen ? "true" : "false");
  }

  async function move(change, button, message) {
    await busy(button, async () => {
      const clock = await api("POST", "clock", undefined, change);
      await ctx.refreshClock();
      say(`${message}: sandbox time is ${clock.beijing}${clock.frozen ? " (frozen)" : ""}.`);
    });
  }

  async function load() {
    const [seed, counts] = await Promise.all([api("GET", "seed"), api("GET", "health")]);
    seedNow.textContent = String(seed.seed);
    fill(health, ...facts([
      ["Version", counts.version],
      ["Scenarios", String(counts.scenarios)],
      ["Orders", String(counts.orders)],
      ["Journal entries", String(counts.journal)],
      ["Store", counts.store],
      ["This replica", counts.replica],
    ]).childNodes);
    showClock();
  }

  document.getElementById("advance-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const seconds = Number(document.getElementById("advance-seconds").value);
    move({ advance: seconds }, event.submitter, `Advanced ${seconds} s`);
  });
  for (const button of document.querySelectorAll("[data-advance]")) {
    button.addEventListener("click", () => move({ advance: Number(button.dataset.advance) }, button,
      `Advanced ${button.textContent}`));
  }
  document.getElementById("set-form").addEventListener("submit", (event) => {
    event.preventDefault();
    move({ set: document.getElementById("set-time").value.trim() }, event.submitter, "Set");
  });
  freeze.addEventListener("click", () => {
    const frozen = Boolean(ctx.clock && ctx.clock.frozen);
    move({ freeze: !frozen }, freeze, frozen ? "Unfrozen" : "Frozen");
  });
  document.getElementById("seed-form").addEventListener("submit", (event) => {
    event.preventDefault();
    busy(event.submitter, async () => {
      const seed = await api("POST", "seed", undefined, { seed: Number(document.getElementById("seed-value").value) });
      seedNow.textContent = String(seed.seed);
      say(`Seed set to ${seed.seed}.`);
    });
  });
  const reset = document.getElementById("reset");
  confirming(reset, () => busy(reset, async () => {
    await api("POST", "reset");
    await ctx.refreshClock();
    ctx.afterReset();
    await load();
    say("Everything was reset.");
  }));

  const polling = poller(POLL_MS, load, () => ctx.tab === "state");
  setInterval(() => { if (ctx.tab === "state") showClock(); }, 1000);
  return {
    show() {
      polling.poke();
    },
    clockChanged: showClock,
  };
}
